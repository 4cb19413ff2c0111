import sharp from 'sharp';

/** Rasterises an SVG chart (librsvg inside sharp) so it can be opened where SVG cannot. */
export async function svgToPng(svg: string, density = 144): Promise<Buffer> {
  return sharp(Buffer.from(svg, 'utf8'), { density }).png().toBuffer();
}
