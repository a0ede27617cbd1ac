package stream

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/logmon/logmon/internal/record"

	"github.com/logmon/logmon/internal/diag"
	"github.com/logmon/logmon/parse"
)

// collect is a Stage that records what Run gives it.
type collect struct {
	lines     []string
	offs      []int64
	tooLong   []int64
	idles     []time.Time
	lastInput time.Time
	ended     bool
	flushes   int
	onFlush   func()
}

func (c *collect) Line(l Line) error {
	c.lines = append(c.lines, string(l.Text))
	c.offs = append(c.offs, l.Off)
	if l.TooLong {
		c.tooLong = append(c.tooLong, l.N)
	}
	return nil
}
func (c *collect) Idle(now, lastInput time.Time) error {
	c.idles = append(c.idles, now)
	c.lastInput = lastInput
	return nil
}
func (c *collect) End() error { c.ended = true; return nil }
func (c *collect) Flush() error {
	c.flushes++
	if c.onFlush != nil {
		c.onFlush()
	}
	return nil
}

func TestLines(t *testing.T) {
	long := func(n int) string { return strings.Repeat("x", n) }
	tests := []struct {
		name  string
		input string
		want  []string
	}{
		{"LF", "a\nb\n", []string{"a", "b"}},
		{"CRLF", "a\r\nb\r\n", []string{"a", "b"}},
		{"last line without newline", "a\nb", []string{"a", "b"}},
		{"empty lines kept", "\n\na\n", []string{"", "", "a"}},
		{"lone CR inside a line kept", "a\rb\n", []string{"a\rb"}},
		{"BOM at the start dropped", "\xef\xbb\xbfa\n\xef\xbb\xbfb\n", []string{"a", "\xef\xbb\xbfb"}},
		{"64 KiB - 1", long(64<<10-1) + "\n", []string{long(64<<10 - 1)}},
		{"64 KiB", long(64<<10) + "\nz", []string{long(64 << 10), "z"}},
		{"64 KiB + 1", long(64<<10+1) + "\n", []string{long(64<<10 + 1)}},
		{"1 MiB", long(1<<20) + "\nz\n", []string{long(1 << 20), "z"}},
		{"empty input", "", nil},
	}
	for _, tt := range tests {
		for _, slow := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/one byte reads %v", tt.name, slow), func(t *testing.T) {
				if slow && len(tt.input) > 1<<16 {
					t.Skip("too slow byte by byte")
				}
				var in io.Reader = strings.NewReader(tt.input)
				if slow {
					in = iotest.OneByteReader(in)
				}
				c := &collect{}
				if err := Run(Config{In: in}, c); err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(c.lines, tt.want) {
					t.Errorf("lines (-want +got):\n-%.80q\n+%.80q", tt.want, c.lines)
				}
				if !c.ended {
					t.Error("End not called")
				}
			})
		}
	}
}

// TestLineOffsets: every line knows where it starts in the input, which
// is how a followed file's lines get their byte offsets.
func TestLineOffsets(t *testing.T) {
	tests := []struct {
		name  string
		input string
		want  []int64
	}{
		{"LF", "ab\nc\n", []int64{0, 3}},
		{"CRLF", "ab\r\nc\r\nd", []int64{0, 4, 7}},
		{"empty lines", "\n\n\nx", []int64{0, 1, 2, 3}},
		{"BOM counts as input", "\xef\xbb\xbfa\nb\n", []int64{0, 5}},
		{"after a 64 KiB + 1 line", strings.Repeat("x", 64<<10+1) + "\nz\n", []int64{0, 64<<10 + 2}},
	}
	for _, tt := range tests {
		for _, slow := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/one byte reads %v", tt.name, slow), func(t *testing.T) {
				var in io.Reader = strings.NewReader(tt.input)
				if slow {
					in = iotest.OneByteReader(in)
				}
				c := &collect{}
				if err := Run(Config{In: in}, c); err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(c.offs, tt.want) {
					t.Errorf("offsets (-want +got):\n-%v\n+%v", tt.want, c.offs)
				}
			})
		}
	}
	// Past a line too long to keep, offsets still count every byte.
	c := &collect{}
	in := strings.Repeat("x", MaxLine+10) + "\nok\n"
	if err := Run(Config{In: strings.NewReader(in)}, c); err != nil {
		t.Fatal(err)
	}
	if want := []int64{0, MaxLine + 11}; !slices.Equal(c.offs, want) {
		t.Errorf("offsets after a too-long line (-want +got):\n-%v\n+%v", want, c.offs)
	}
}

func TestTooLongLine(t *testing.T) {
	in := strings.Repeat("x", MaxLine+10) + "\nok\n"
	c := &collect{}
	if err := Run(Config{In: strings.NewReader(in)}, c); err != nil {
		t.Fatal(err)
	}
	if len(c.lines) != 2 || len(c.lines[0]) != MaxLine || c.lines[1] != "ok" {
		t.Fatalf("got %d lines, first %d bytes; want the too-long line cut to %d and then ok", len(c.lines), len(c.lines[0]), MaxLine)
	}
	if !slices.Equal(c.tooLong, []int64{1}) {
		t.Errorf("too long lines %v, want [1]", c.tooLong)
	}
}

func TestLineOfMaxLength(t *testing.T) {
	for _, end := range []string{"\n", "\r\n", ""} {
		in := strings.Repeat("x", MaxLine) + end + "ok\n"
		c := &collect{}
		if err := Run(Config{In: strings.NewReader(in)}, c); err != nil {
			t.Fatal(err)
		}
		if end == "" {
			// One line of MaxLine+2 bytes.
			if len(c.tooLong) != 1 {
				t.Errorf("no newline: too long lines %v, want [1]", c.tooLong)
			}
			continue
		}
		if len(c.tooLong) != 0 || len(c.lines) != 2 || len(c.lines[0]) != MaxLine {
			t.Errorf("a line of exactly %d bytes ending %q: too long %v, %d lines", MaxLine, end, c.tooLong, len(c.lines))
		}
	}
}

func TestReadError(t *testing.T) {
	c := &collect{}
	err := Run(Config{In: io.MultiReader(strings.NewReader("a\n"), iotest.ErrReader(io.ErrUnexpectedEOF))}, c)
	if err != io.ErrUnexpectedEOF {
		t.Errorf("err = %v, want the read error", err)
	}
	if !slices.Equal(c.lines, []string{"a"}) {
		t.Errorf("lines %q, want the line before the error", c.lines)
	}
}

// TestQuietFlushAndIdle drives Run over a pipe with an injected clock: it
// flushes when the input is quiet, and calls Idle only after a whole tick
// without input.
func TestQuietFlushAndIdle(t *testing.T) {
	pr, pw := io.Pipe()
	tick := make(chan time.Time)
	now := time.Unix(1000, 0)
	c := &collect{}
	flushed := make(chan int, 100)
	c.onFlush = func() { flushed <- len(c.lines) }
	done := make(chan error)
	go func() { done <- Run(Config{In: pr, Tick: tick, Now: func() time.Time { return now }}, c) }()

	pw.Write([]byte("a\nb\n"))
	// Both lines are handed over and flushed before Run waits again.
	for n := range flushed {
		if n == 2 {
			break
		}
	}
	now = time.Unix(1001, 0)
	tick <- now // the tick after input: not a whole quiet tick yet
	tick <- now // a whole tick without input: Idle
	tick <- now
	pw.Write([]byte("c\n"))
	for n := range flushed {
		if n == 3 {
			break
		}
	}
	pw.Close()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if len(c.idles) != 2 {
		t.Errorf("Idle called %d times, want 2 (the first tick after input is not quiet)", len(c.idles))
	}
	if !c.lastInput.Equal(time.Unix(1000, 0)) {
		t.Errorf("Idle was told the input last arrived at %v, want when a, b came (1000)", c.lastInput.Unix())
	}
	if !slices.Equal(c.lines, []string{"a", "b", "c"}) {
		t.Errorf("lines %q", c.lines)
	}
}

func TestWarnerRateLimit(t *testing.T) {
	var buf bytes.Buffer
	sec := int64(0)
	w := NewWarner(diag.Text(&buf, "parse"), "<stdin>", func() time.Time { return time.Unix(sec, 0) })
	for i := range 25 {
		w.Line(int64(i+1), "bad %s", "thing")
	}
	sec = 1
	w.Line(26, "bad %s", "again")
	w.Close()
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	want := []string{
		"logmon parse: <stdin>:1: bad thing",
		"logmon parse: <stdin>: 15 more warnings suppressed",
		"logmon parse: <stdin>:26: bad again",
	}
	if len(lines) != 12 || lines[0] != want[0] || lines[10] != want[1] || lines[11] != want[2] {
		t.Errorf("warnings:\n%s\nwant 10 lines, then:\n%s", buf.String(), strings.Join(want[1:], "\n"))
	}
}

// nopOut is an Output that records raw and request records.
type nopOut struct{ got []string }

func (o *nopOut) Request(r *record.Request) error {
	o.got = append(o.got, string(r.AppendJSON(nil)))
	return nil
}
func (o *nopOut) Raw(_ record.Type, b []byte) error {
	o.got = append(o.got, "raw "+string(b))
	return nil
}
func (o *nopOut) Flush() error { return nil }

type countReqs struct{ n int }

func (c *countReqs) Request(*record.Request) error   { c.n++; return nil }
func (c *countReqs) Idle(time.Time, time.Time) error { return nil }
func (c *countReqs) End() error                      { return nil }

func TestRecords(t *testing.T) {
	in := strings.Join([]string{
		`{"type":"request","time":"2015-05-17T10:05:03Z","status":200,"bytes":1}`,
		`{"type":"alert","rule":"x"}`,
		`not json`,
		`{"type":"summary"`,
		`{"type":1}`,
		`{"type":"request","time":"yesterday"}`,
		`{"type":"request","time":"2015-05-17T10:05:04Z","status":"200"}`,
		`{"type":"request","time":"2015-05-17T10:05:05Z"}`,
	}, "\n")
	for _, pass := range []bool{false, true} {
		t.Run(fmt.Sprint("pass ", pass), func(t *testing.T) {
			var errs bytes.Buffer
			out := &nopOut{}
			c := &countReqs{}
			st := &Events{C: c, Out: out, Pass: pass, Warn: NewWarner(diag.Text(&errs, "stats"), "<stdin>", time.Now)}
			if err := Run(Config{In: strings.NewReader(in)}, st); err != nil {
				t.Fatal(err)
			}
			if c.n != 2 || st.Invalid != 5 {
				t.Errorf("requests %d, invalid %d; want 2 and 5", c.n, st.Invalid)
			}
			wantOut := 1
			if pass {
				wantOut = 3
			}
			if len(out.got) != wantOut || out.got[len(out.got)-1] == "" {
				t.Errorf("output %q, want %d records", out.got, wantOut)
			}
			for _, want := range []string{
				"<stdin>:3: not a valid record", "<stdin>:4: not a valid record",
				"<stdin>:5: not a valid record", `<stdin>:6: not a valid record: bad "time"`,
				`<stdin>:7: not a valid record: "status" is not an integer`, "5 invalid records skipped",
			} {
				if !strings.Contains(errs.String(), want) {
					t.Errorf("stderr lacks %q:\n%s", want, errs.String())
				}
			}
		})
	}
}

// TestParseAhead: Run parses the lines of Logs and Events ahead, batch by
// batch, in a goroutine of its own; what comes out (records, requests
// counted, warnings, tallies) must be exactly what the stage gives when
// it parses every line itself. The input spans many batches and mixes
// unescaped fields (the parser's scratch space), bad lines and records.
func TestParseAhead(t *testing.T) {
	var logs, recs []string
	for i := range 5000 {
		l := fmt.Sprintf(`10.0.%d.%d - - [17/May/2015:10:%02d:%02d +0000] "GET /s%d/a\"b%d HTTP/1.1" 200 %d "-" "agent \\%d"`, i/256%256, i%256, i/60%60, i%60, i%7, i, i, i)
		switch i % 10 {
		case 3:
			l = "bad line " + fmt.Sprint(i)
		case 6:
			l = ""
		}
		logs = append(logs, l)
		var r record.Request
		var p parse.Parser
		if p.Line([]byte(l), &r) == nil {
			recs = append(recs, string(r.AppendJSON(nil)))
		} else if i%20 == 3 {
			recs = append(recs, `{"type":"alert","n":`+fmt.Sprint(i)+`}`, "{bad")
		}
	}
	inputs := map[string]string{
		"logs":    strings.Join(logs, "\n"),
		"records": strings.Join(recs, "\n"),
		"mixed":   strings.Join(logs[:100], "\n") + "\n" + strings.Join(recs[:100], "\n"),
	}
	stages := map[string]func(errs *bytes.Buffer, out *nopOut, c *reqLog) Stage{
		"Logs": func(errs *bytes.Buffer, out *nopOut, _ *reqLog) Stage {
			return &Logs{Out: out, Warn: NewWarner(diag.Text(errs, "parse"), "<stdin>", stopped)}
		},
		"Events": func(errs *bytes.Buffer, out *nopOut, c *reqLog) Stage {
			return &Events{C: c, Out: out, Pass: true, Warn: NewWarner(diag.Text(errs, "alert"), "<stdin>", stopped)}
		},
	}
	for in, text := range inputs {
		for name, newStage := range stages {
			t.Run(in+"/"+name, func(t *testing.T) {
				var aheadErrs, directErrs bytes.Buffer
				aheadOut, directOut := &nopOut{}, &nopOut{}
				aheadReqs, directReqs := &reqLog{}, &reqLog{}
				if err := Run(Config{In: strings.NewReader(text)}, newStage(&aheadErrs, aheadOut, aheadReqs)); err != nil {
					t.Fatal(err)
				}
				direct := newStage(&directErrs, directOut, directReqs)
				var off int64
				for i, l := range strings.Split(text, "\n") {
					if err := direct.Line(Line{N: int64(i + 1), Off: off, Text: []byte(l)}); err != nil {
						t.Fatal(err)
					}
					off += int64(len(l)) + 1
				}
				if err := finish(direct); err != nil {
					t.Fatal(err)
				}
				if len(aheadOut.got) < 50 || !slices.Equal(aheadOut.got, directOut.got) {
					t.Errorf("output differs: %d records parsed ahead, %d in place", len(aheadOut.got), len(directOut.got))
				}
				if !slices.Equal(aheadReqs.got, directReqs.got) {
					t.Errorf("requests counted differ: %d parsed ahead, %d in place", len(aheadReqs.got), len(directReqs.got))
				}
				if aheadErrs.String() != directErrs.String() {
					t.Errorf("warnings parsed ahead:\n%s\nin place:\n%s", aheadErrs.String(), directErrs.String())
				}
			})
		}
	}
}

// stopped is a wall clock that does not move: the warnings' rate limit
// then treats both runs alike however long they take.
func stopped() time.Time { return time.Unix(1431856800, 0) }

// reqLog is a Consumer that keeps every request it is given, encoded.
type reqLog struct{ got []string }

func (c *reqLog) Request(r *record.Request) error {
	c.got = append(c.got, string(r.AppendJSON(nil)))
	return nil
}
func (c *reqLog) Idle(time.Time, time.Time) error { return nil }
func (c *reqLog) End() error                      { return nil }

// chunkReader returns its input in pieces of random sizes, as pipes do.
type chunkReader struct {
	data []byte
	r    *rand.Rand
	max  int
}

func (c *chunkReader) Read(p []byte) (int, error) {
	if len(c.data) == 0 {
		return 0, io.EOF
	}
	n := min(len(p), len(c.data), 1+c.r.IntN(c.max))
	copy(p, c.data[:n])
	c.data = c.data[n:]
	return n, nil
}

// TestFillRandom: the line reader, reading straight into batches, gives
// the lines a naive splitter gives, whatever the line lengths (also
// longer than the limit, and longer than a batch) and however the reads
// cut the input.
func TestFillRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(8, 9))
	letters := make([]byte, 3*batchBytes)
	for i := range letters {
		letters[i] = byte('a' + r.IntN(26))
	}
	for round := range 200 {
		max, lines := 1+r.IntN(200), r.IntN(2000)
		if round%10 == 0 {
			max, lines = 1+r.IntN(3*batchBytes), r.IntN(40)
		}
		var in []byte
		for range lines {
			n := r.IntN(2 * max)
			if r.IntN(400) == 0 {
				n = r.IntN(3 * batchBytes)
			}
			n = min(n, len(letters))
			at := r.IntN(len(letters) - n + 1)
			in = append(in, letters[at:at+n]...)
			if r.IntN(10) == 0 {
				in = append(in, '\r')
			}
			in = append(in, '\n')
		}
		if r.IntN(2) == 0 {
			in = append(in, "last"...)
		}
		// The naive splitter.
		type want struct {
			text    string
			off     int64
			tooLong bool
		}
		var wants []want
		off := int64(0)
		rest := in
		for len(rest) > 0 {
			i := bytes.IndexByte(rest, '\n')
			nl := 1
			if i < 0 {
				i, nl = len(rest), 0
			}
			text := rest[:i]
			if len(text) > 0 && text[len(text)-1] == '\r' {
				text = text[:len(text)-1]
			}
			w := want{string(text), off, len(text) > max}
			if w.tooLong {
				w.text = w.text[:max]
			}
			wants = append(wants, w)
			off += int64(i + nl)
			rest = rest[i+nl:]
		}

		lr := newLineReader(&chunkReader{data: in, r: r, max: 1 + r.IntN(3*batchBytes)}, max)
		var got []want
		b := &batch{}
		for !b.eof {
			lr.fill(b)
			if len(b.lines) > maxBatchLines+1 {
				t.Fatalf("round %d: a batch of %d lines", round, len(b.lines))
			}
			if cap(b.data) > max+1+2*batchBytes+minRead {
				t.Fatalf("round %d: a batch buffer of %d bytes for lines of at most %d", round, cap(b.data), max)
			}
			for _, l := range b.lines {
				got = append(got, want{string(l.Text), l.Off, l.TooLong})
			}
		}
		if b.err != nil {
			t.Fatal(b.err)
		}
		if !slices.Equal(got, wants) {
			for i := range min(len(got), len(wants)) {
				if got[i] != wants[i] {
					t.Fatalf("round %d (max %d): line %d is %.40q at %d (too long %v), want %.40q at %d (%v)", round, max, i+1,
						got[i].text, got[i].off, got[i].tooLong, wants[i].text, wants[i].off, wants[i].tooLong)
				}
			}
			t.Fatalf("round %d: %d lines, want %d", round, len(got), len(wants))
		}
	}
}

// TestReaderForm: the line reader tells records from log lines, from the
// bytes as they come, exactly as Events does from the lines (form.see),
// so that it keeps log lines to MaxLine and records to MaxRecord.
func TestReaderForm(t *testing.T) {
	inputs := []string{
		"{}\n", "a\n", "  \t{x\n", "\n\n  \n{\n", "\r\n{\n", "\r\r\n{\n", " \r {\n", "\r{\n", "\xef\xbb\xbf{\n",
		"\xef\xbb\xbfa\n", "\xef{\n", "\xef\xbb{\n", "\n \n\t\n", "", "\r", " \r\n \r\n{",
	}
	r := rand.New(rand.NewPCG(4, 4))
	for range 3000 {
		var b []byte
		for range r.IntN(8) {
			const bytes = " \t\r\n{a\xef\xbb\xbf"
			b = append(b, bytes[r.IntN(len(bytes))])
		}
		inputs = append(inputs, string(b))
	}
	for _, in := range inputs {
		if in != "" && len(in) < 3 && strings.HasPrefix("\xef\xbb\xbf", in) {
			continue // the input ends inside what may be a BOM: nothing left to limit
		}
		// What Events decides, line by line.
		var want form
		for i, l := range strings.Split(in, "\n") {
			if i == 0 {
				l = strings.TrimPrefix(l, "\xef\xbb\xbf")
			}
			l = strings.TrimSuffix(l, "\r") // before the newline, or at the end of input
			if want.see([]byte(l)); want.decided {
				break
			}
		}
		// What the reader decides, from bytes in random pieces.
		lr := newLineReader(nil, MaxLine)
		lr.recordMax = MaxRecord
		for rest := []byte(in); len(rest) > 0 && lr.form == formUnknown; {
			n := 1 + r.IntN(len(rest))
			lr.see(rest[:n])
			rest = rest[n:]
		}
		got := form{decided: lr.form != formUnknown, logs: lr.form == formLogs}
		if got != want {
			t.Errorf("%q: the reader decides %+v, Events %+v", in, got, want)
		}
	}
}
