// The activation codes the kernels take, in one module both sides of the AssemblyScript boundary
// compile: assembly/lanes.ts and losses.ts import it (asc inlines the constants), and dense.ts
// maps the lab's activation names onto it (tsc). Plain integer constants: the TypeScript both
// compilers read the same way.

export const LINEAR = 0
export const TANH = 1
export const RELU = 2
export const ELU = 3
export const SIGMOID = 4
