export { glyphName } from '@shared/glyph-name'
