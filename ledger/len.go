package ledger

// Len returns the number of entries appended, so that a reader of the
// recent entries (the console's portal) can start near the end.
func (l *Ledger) Len() int64 { return l.Stats().Entries }
