package record

import (
	"sync/atomic"
	"time"
)

// The times a record can carry. RFC 3339 has four-digit years, so a record
// time lies in [MinTime, EndTime): from 0000-01-01T00:00:00Z up to, not
// including, 10000-01-01T00:00:00Z, in Unix seconds. Every stage holds
// its times to these bounds: parse refuses a log time beyond them,
// aggregate clips an interval to them, and ParseTime reads nothing else.
const (
	MinTime = -62167219200
	EndTime = 253402300800
)

// AppendTime appends the time sec.nsec (Unix seconds, UTC) as RFC 3339
// with a Z: whole seconds, or with the fraction when nsec is not zero
// (trailing zeros dropped). It is the one time format of every logmon
// record, and writes what time.Time.AppendFormat(b, time.RFC3339Nano)
// writes, by hand for the years 0 to 9999: the parse stage writes one per
// line, and the general formatter takes about 60 ns of the 200 ns a line
// costs.
func AppendTime(b []byte, sec int64, nsec int32) []byte {
	if sec < MinTime || sec >= EndTime || nsec < 0 || nsec >= 1e9 {
		return time.Unix(sec, int64(nsec)).UTC().AppendFormat(b, time.RFC3339Nano)
	}
	if c := lastSecond.Load(); c != nil && c.sec == sec {
		b = append(b, c.text[:]...)
	} else {
		c = &secondText{sec: sec}
		days, rem := (sec-MinTime)/86400, (sec-MinTime)%86400
		y, m, d := civil(days)
		h, mi, s := rem/3600, rem/60%60, rem%60
		c.text = [19]byte{
			byte('0' + y/1000), byte('0' + y/100%10), byte('0' + y/10%10), byte('0' + y%10), '-',
			byte('0' + m/10), byte('0' + m%10), '-', byte('0' + d/10), byte('0' + d%10), 'T',
			byte('0' + h/10), byte('0' + h%10), ':', byte('0' + mi/10), byte('0' + mi%10), ':', byte('0' + s/10), byte('0' + s%10)}
		lastSecond.Store(c)
		b = append(b, c.text[:]...)
	}
	if nsec != 0 {
		b = appendFraction(b, uint32(nsec))
	}
	return append(b, 'Z')
}

// secondText is a second's text in AppendTime, up to the fraction.
type secondText struct {
	sec  int64
	text [19]byte
}

// lastSecond is the last second AppendTime wrote, whole: the records of
// a log mostly share their second with the one before (278 lines a
// second in scripts/bench.sh's log), and the date and time written from
// it took most of a time's cost (BenchmarkAppendTime 29 to 4.5 ns, a
// Combined record's BenchmarkAppendJSON 143 to 112). A new second costs
// one small allocation. Goroutines writing times at once each see a
// whole secondText, the last stored.
var lastSecond atomic.Pointer[secondText]

// appendTimeValue is AppendTime of a time.Time.
func appendTimeValue(b []byte, t time.Time) []byte {
	return AppendTime(b, t.Unix(), int32(t.Nanosecond()))
}

// ParseTime reads an RFC 3339 time of a record: the times logmon writes
// ("2006-01-02T15:04:05Z") quickly, and any other (a fraction, an offset)
// through the time package. It refuses a time outside [MinTime, EndTime),
// which could not be written back.
func ParseTime(b []byte) (sec int64, nsec int32, ok bool) {
	if len(b) == 20 && b[19] == 'Z' && b[4] == '-' && b[7] == '-' && b[10] == 'T' && b[13] == ':' && b[16] == ':' {
		c, y, mo, d := two(b, 0), two(b, 2), two(b, 5), two(b, 8)
		h, mi, s := two(b, 11), two(b, 14), two(b, 17)
		if min(c, y, mo, d, h, mi, s) < 0 || !ValidDate(c*100+y, mo, d) || h > 23 || mi > 59 || s > 59 {
			return 0, 0, false
		}
		return UnixSeconds(c*100+y, mo, d, h, mi, s), 0, true
	}
	t, err := time.Parse(time.RFC3339Nano, string(b))
	if err != nil {
		return 0, 0, false
	}
	if sec := t.Unix(); sec < MinTime || sec >= EndTime {
		return 0, 0, false
	}
	return t.Unix(), int32(t.Nanosecond()), true
}

// two reads the two decimal digits at b[i:], or returns -1.
func two(b []byte, i int) int {
	hi, lo := int(b[i])-'0', int(b[i+1])-'0'
	if hi < 0 || hi > 9 || lo < 0 || lo > 9 {
		return -1
	}
	return hi*10 + lo
}

// ValidDate reports whether y-mo-d is a real calendar date (proleptic
// Gregorian).
func ValidDate(y, mo, d int) bool {
	if mo < 1 || mo > 12 || d < 1 {
		return false
	}
	return d <= daysIn(y, mo)
}

func daysIn(y, mo int) int {
	switch mo {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// UnixSeconds converts a UTC civil time to Unix seconds without the time
// package (days-from-civil, Howard Hinnant's algorithm): time.Date costs
// about 60 ns a call, a sizeable share of a whole parsed line.
func UnixSeconds(y, mo, d, h, mi, s int) int64 {
	if mo <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era--
	}
	yoe := y - era*400
	m := mo + 9
	if mo > 2 {
		m = mo - 3
	}
	doy := (153*m+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	days := int64(era)*146097 + int64(doe) - 719468
	return days*86400 + int64(h)*3600 + int64(mi)*60 + int64(s)
}

// civil returns the date of the day days after 0000-01-01 (proleptic
// Gregorian), by Howard Hinnant's days_from_civil inverse: the year is
// counted from March, so that the leap day comes last.
func civil(days int64) (y, m, d int64) {
	z := days - 60 // days since 0000-03-01
	era := z / 146097
	if z < 0 {
		era = (z - 146096) / 146097
	}
	doe := z - era*146097                                  // [0, 146096]
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365 // [0, 399]
	doy := doe - (365*yoe + yoe/4 - yoe/100)               // [0, 365]
	mp := (5*doy + 2) / 153                                // [0, 11], March first
	d = doy - (153*mp+2)/5 + 1
	m = mp + 3
	if m > 12 {
		m -= 12
	}
	y = yoe + era*400
	if m <= 2 {
		y++
	}
	return y, m, d
}
