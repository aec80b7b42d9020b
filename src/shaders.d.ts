// Shape of the modules that build.mjs makes from shaders/*.wgsl with wgsl_reflect.
declare module '*.wgsl' {
  const shader: import('./gpu/kernel.js').ShaderInfo;
  export default shader;
}
