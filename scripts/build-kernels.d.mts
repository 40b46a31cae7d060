// Types for build-kernels.mjs (imported by test/kernels.test.ts).
export declare const KERNELS: readonly { name: string; source: string; features: string }[]
export declare const MAX_PAGES: number
export declare function compileKernel(name: string): Promise<Buffer>
export declare function generatedModule(name: string, bytes: Buffer): string
export declare function generatedPath(name: string): string
export declare const exportsPath: string
export declare function generatedExports(): Promise<string>
