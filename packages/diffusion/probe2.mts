import { contactSheet } from "./src/index.ts";
import { readFileSync, writeFileSync } from "node:fs";
const files = ["a_red_circle_on_a_blue_background", "a_yellow_square_on_the_left", "a_green_triangle_at_the_top_on_a_pink_background", "a_purple_ring", "hello_world"];
writeFileSync("/tmp/sheet.png", contactSheet(files.map((f) => readFileSync(`/tmp/${f}.png`)), { columns: 5, tile: 200 }));
