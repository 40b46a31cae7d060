import { i18n } from '../i18n'

/** A glyph's character as it is read out and labelled, in the interface's language: the blank glyph is "space". */
export const glyphName = (char: string): string =>
  char === ' ' ? i18n.global.t('shared.space') : char
