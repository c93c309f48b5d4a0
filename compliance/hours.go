package compliance

import (
	"slices"
	"time"
)

// hours answers R7's questions — is this instant within the allowed local
// hours and days, and if not, when is the next allowed one — and gives the
// local day R8 counts on. Local time is read from the zone's offset at the
// instant, so Morocco's changes of offset (UTC+1, UTC+0 during Ramadan)
// move the window with the clocks people read.
type hours struct {
	loc         *time.Location
	from, until int32 // seconds since local midnight
	noWeekdays  uint8 // bit d set: no sending on weekday d (0 is Sunday)
	noDates     []int32
}

const secondsPerDay = 86400

func newHours(c *Config) (*hours, error) {
	loc, err := time.LoadLocation(c.TimeZone)
	if err != nil {
		return nil, err
	}
	h := &hours{loc: loc, from: int32(c.Hours.From) * 60, until: int32(c.Hours.Until) * 60}
	for _, d := range c.NoSendWeekdays {
		h.noWeekdays |= 1 << d
	}
	for _, d := range c.NoSendDates {
		h.noDates = append(h.noDates, int32(d.days()))
	}
	slices.Sort(h.noDates)
	h.noDates = slices.Compact(h.noDates)
	return h, nil
}

// local returns the local day of t (days since 1970-01-01) and the seconds
// since local midnight.
func (h *hours) local(t time.Time) (day, sec int32) {
	_, off := t.In(h.loc).Zone()
	return localOf(t.Unix() + int64(off))
}

// localOf splits local Unix seconds into a day and the seconds in it.
func localOf(s int64) (day, sec int32) {
	d := s / secondsPerDay
	if s%secondsPerDay < 0 {
		d--
	}
	return int32(d), int32(s - d*secondsPerDay)
}

// dayAllowed reports whether commercial sending is allowed on local day d.
func (h *hours) dayAllowed(d int32) bool {
	wd := (d%7 + 7 + 4) % 7 // 1970-01-01 was a Thursday
	if h.noWeekdays&(1<<wd) != 0 {
		return false
	}
	if len(h.noDates) > 0 {
		if _, found := slices.BinarySearch(h.noDates, d); found {
			return false
		}
	}
	return true
}

// inWindow reports whether sec (since local midnight) is within the hours.
func (h *hours) inWindow(sec int32) bool {
	if h.from < h.until {
		return h.from <= sec && sec < h.until
	}
	return sec >= h.from || sec < h.until // the window runs over midnight
}

// allowed reports whether local day d at sec is an allowed time.
func (h *hours) allowed(d, sec int32) bool { return h.dayAllowed(d) && h.inWindow(sec) }

// maxDeferDays bounds the search for the next allowed time.
const maxDeferDays = 400

// next returns the first allowed instant after now (local day d at sec),
// and its local day; ok is false when none comes within maxDeferDays.
func (h *hours) next(now time.Time, d, sec int32) (t time.Time, day int32, ok bool) {
	t, day, ok = h.nextByClock(now, d, sec)
	// When the clocks change before t, the local time after the change may
	// be allowed (clocks going back into the window, or jumping into it), or
	// bring an earlier window: start again from each change.
	for from := now; ok; {
		_, change := from.In(h.loc).ZoneBounds()
		if change.IsZero() || !change.Before(t) {
			break
		}
		cd, cs := h.local(change)
		if h.allowed(cd, cs) {
			return change, cd, true
		}
		if t2, d2, ok2 := h.nextByClock(change, cd, cs); ok2 && t2.Before(t) {
			t, day = t2, d2
		}
		from = change
	}
	return t, day, ok
}

// nextByClock is next for a clock that does not change between now and
// the result.
func (h *hours) nextByClock(now time.Time, d, sec int32) (t time.Time, day int32, ok bool) {
	for i := int32(0); i <= maxDeferDays; i++ {
		day := d + i
		if !h.dayAllowed(day) {
			continue
		}
		after := int32(0)
		if i == 0 {
			after = sec
		}
		// The day's windows in order: one, or two when the window runs over
		// midnight ([0, until) and [from, 24h)).
		windows := [2][2]int32{{h.from, h.until}, {-1, -1}}
		if h.from > h.until {
			windows = [2][2]int32{{0, h.until}, {h.from, secondsPerDay}}
		}
		for _, w := range windows {
			if w[0] < 0 || w[1] <= after {
				continue
			}
			at := max(after, w[0])
			y, m, dd := time.Unix(int64(day)*secondsPerDay, 0).UTC().Date()
			t := time.Date(y, m, dd, int(at/3600), int(at%3600/60), int(at%60), 0, h.loc)
			if ld, ls := h.local(t); ld != day || ls != at || !t.Add(-time.Hour).Before(now) {
				// Near a change of the clocks the local time may not exist
				// (it is skipped) or come twice: find the first instant
				// whose local clock reaches it.
				t = h.firstReaching(now, t, day, at)
			}
			ld, _ := h.local(t)
			return t, ld, true
		}
	}
	return time.Time{}, 0, false
}

// firstReaching returns the first minute, within two hours of guess and not
// before now, whose local clock is at or past day at sec: where a window
// opens when the clocks jump over its start or go back across it.
func (h *hours) firstReaching(now, guess time.Time, day, sec int32) time.Time {
	t := guess.Add(-2 * time.Hour).Truncate(time.Minute)
	if t.Before(now) {
		t = now.Truncate(time.Minute).Add(time.Minute)
	}
	for end := guess.Add(2 * time.Hour); t.Before(end); t = t.Add(time.Minute) {
		if d, s := h.local(t); d > day || (d == day && s >= sec) {
			return t
		}
	}
	return guess
}
