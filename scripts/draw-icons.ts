// Redraws manifest/color.png and manifest/outline.png from src/packaging/icons.ts.
import { writeFileSync } from 'node:fs';
import { drawColourIcon, drawOutlineIcon } from '../src/packaging/icons.ts';
import { encodePng } from '../src/packaging/png.ts';

writeFileSync(new URL('../manifest/color.png', import.meta.url), encodePng(drawColourIcon()));
writeFileSync(new URL('../manifest/outline.png', import.meta.url), encodePng(drawOutlineIcon()));
process.stdout.write('wrote manifest/color.png and manifest/outline.png\n');
