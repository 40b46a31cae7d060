/** A glyph's character as it is read out and labelled: the blank glyph is "space". */
export const glyphName = (char: string): string => (char === ' ' ? 'space' : char)
