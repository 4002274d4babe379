#!/usr/bin/env node
/**
 * `npm run icons`: renders every icon from the one source, resources/icons/icon.svg.
 *   - NxN.png (16 to 1024): the Linux icon set, the window icon and the tray icon;
 *   - icon.png (512): what electron-builder takes when no platform icon is named;
 *   - icon.icns (macOS) and icon.ico (Windows), by icon-gen;
 *   - icons.json: the source's SHA-256, so test/unit/packaging.test.ts can tell when the
 *     outputs are older than the SVG (commit the outputs with the SVG).
 * sharp (libvips) rasterises the SVG; icon-gen packs the .icns and .ico containers.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import icongen from 'icon-gen';
import sharp from 'sharp';

const dir = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'resources', 'icons');
const source = join(dir, 'icon.svg');
const svg = readFileSync(source);
const ICON_SIZES = [16, 24, 32, 48, 64, 128, 256, 512, 1024];

for (const size of ICON_SIZES) {
  // Rasterised at the target size (density scales the 1024-unit viewBox), not downscaled from a big bitmap.
  await sharp(svg, { density: (72 * size) / 1024 }).resize(size, size).png({ compressionLevel: 9 }).toFile(join(dir, `${size}x${size}.png`));
}
copyFileSync(join(dir, '512x512.png'), join(dir, 'icon.png'));
await icongen(source, dir, { report: false, ico: { name: 'icon' }, icns: { name: 'icon' } });
const sha256 = createHash('sha256').update(svg).digest('hex');
writeFileSync(join(dir, 'icons.json'), `${JSON.stringify({ source: 'icon.svg', sha256, sizes: ICON_SIZES }, null, 2)}\n`);
console.log(`icons: rendered ${ICON_SIZES.length} PNGs, icon.png, icon.icns and icon.ico from icon.svg (${sha256.slice(0, 12)})`);
