// Labelled sweep grids (A1111's X/Y/Z plot) and the DejaVu Sans text they are
// drawn with: `atelier grid` and the coordinator's dashboard draw the same grid.
export { axisLabel, drawSweepGrids, gridAxes, SweepGridError, type SweepAxis, type SweepGridOptions, type SweepGridPage, type SweepGrids, type SweepImage } from "./sweep-grid.ts";
export { drawSweepGridsOffThread } from "./off-thread-grid.ts";
export { drawGrid, MAX_GRID_PIXELS, type GridPage } from "./xyz-grid.ts";
export { lineHeight, renderText, stampText, textWidth, wrapText, type TextMask } from "./label-text.ts";
