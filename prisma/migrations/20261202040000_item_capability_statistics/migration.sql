-- Statistics on the item options that say what an agent must be able to run.
-- Without them the planner guesses that each "option IS NULL OR option = ANY(...)"
-- test keeps 1 row in 200, judges the capability filter of a lease to keep one
-- row of a batch, and reads the whole item table (and sorts it) to find that row:
-- 300 ms per lease at 100,000 queued items. Prisma's schema language has no
-- statistics objects, so they live only here.
CREATE STATISTICS "item_architecture_stats" ON (options->>'architecture') FROM "item";
CREATE STATISTICS "item_refiner_model_stats" ON (options->>'refinerModel') FROM "item";
CREATE STATISTICS "item_hires_upscaler_stats" ON (options #>> '{hires,upscaler}') FROM "item";
CREATE STATISTICS "item_upscale_model_stats" ON (options #>> '{upscale,model}') FROM "item";
