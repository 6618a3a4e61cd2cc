-- An item's batch, checked once per statement instead of once per row.
--
-- The foreign key item.batch_id -> batch.id ran its check for every row
-- inserted: a third of Postgres's CPU for a submission of 1,000,000 items
-- (9.5 s with it, 6.0 s with no check, 6.4-6.7 s with these triggers;
-- test/bench/submit.ts). The triggers keep what it promised, for every
-- writer:
--  * rows that name no batch are refused: after each INSERT statement, the
--    distinct batches its rows name must exist. The check takes the same
--    lock the foreign key took (FOR KEY SHARE), so a batch cannot be deleted
--    under rows about to commit;
--  * deleting a batch deletes its items (ON DELETE CASCADE): after the DELETE
--    statement, in a statement of its own, so it also sees the rows of a
--    transaction whose lock the DELETE waited for.
-- Prisma's schema language has no triggers, so they live only here; the
-- relation is gone from schema.prisma with the foreign key.
ALTER TABLE "item" DROP CONSTRAINT "item_batch_id_fkey";

CREATE FUNCTION "item_batch_exists"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM (SELECT DISTINCT batch_id FROM changed_items) n
             WHERE NOT EXISTS (SELECT 1 FROM batch b WHERE b.id = n.batch_id FOR KEY SHARE OF b)) THEN
    RAISE foreign_key_violation USING MESSAGE = 'an item names a batch that does not exist (item.batch_id)';
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER "item_batch_exists_on_insert" AFTER INSERT ON "item"
  REFERENCING NEW TABLE AS changed_items FOR EACH STATEMENT EXECUTE FUNCTION "item_batch_exists"();

-- Nothing moves an item to another batch; should anything try, per row (a
-- transition table cannot go with a column list, and a trigger on every
-- UPDATE of item would cost the lease and result statements).
CREATE FUNCTION "item_batch_exists_moved"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM batch b WHERE b.id = NEW.batch_id FOR KEY SHARE OF b) THEN
    RAISE foreign_key_violation USING MESSAGE = 'an item names a batch that does not exist (item.batch_id)';
  END IF;
  RETURN NEW;
END $$;

CREATE TRIGGER "item_batch_exists_on_update" BEFORE UPDATE OF "batch_id" ON "item"
  FOR EACH ROW WHEN (OLD.batch_id IS DISTINCT FROM NEW.batch_id) EXECUTE FUNCTION "item_batch_exists_moved"();

CREATE FUNCTION "batch_delete_items"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM item WHERE batch_id IN (SELECT id FROM deleted_batches);
  RETURN NULL;
END $$;

CREATE TRIGGER "batch_delete_items" AFTER DELETE ON "batch"
  REFERENCING OLD TABLE AS deleted_batches FOR EACH STATEMENT EXECUTE FUNCTION "batch_delete_items"();
