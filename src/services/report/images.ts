import sharp from 'sharp'
import type { GreyRaster } from '../../shared/figures'

/** A grey or RGB raster as a PNG data URI (for an <img> inlined in the report). */
export async function pngDataUri(raster: GreyRaster): Promise<string> {
  const png = await sharp(Buffer.from(raster.data), {
    raw: { width: raster.width, height: raster.height, channels: raster.channels }
  })
    .png({ compressionLevel: 9 })
    .toBuffer()
  return `data:image/png;base64,${png.toString('base64')}`
}
