// Data shapes shared by every process, each validated where it crosses a boundary. They live in
// one module per subject; this file gathers them, so `from '@shared/schemas'` reaches any of them.
export * from './glyphs'
export * from './training-options'
export * from './letter-config'
export * from './image-datasets'
export * from './runs'
export * from './glyph-runs'
export * from './vae'
export * from './explore'
export * from './session-view'
