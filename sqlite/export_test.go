package sqlite

// SetRebuildAfter lowers the import size from which the number index is
// built again, so that the conformance suite's imports take that path.
func SetRebuildAfter(db *DB, n int64) { db.rebuildAfter = n }
