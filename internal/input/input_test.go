package input

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

	"github.com/logmon/logmon/internal/clock"
	"github.com/logmon/logmon/internal/record"
	"github.com/logmon/logmon/parse"
)

// collect is a Handler that records what Run gives it.
type collect struct {
	lines     []string
	offs      []int64
	tooLong   []int64
	idles     []time.Time
	lastInput time.Time
	ended     bool
	flushes   int
	onFlush   func()
	onTick    func(now time.Time)
}

func (c *collect) Item(it *Item) error {
	c.lines = append(c.lines, string(it.Text))
	if it.Kind == Bad && strings.HasPrefix(it.Err.Error(), "line longer than") {
		c.tooLong = append(c.tooLong, it.N)
	}
	return nil
}
func (c *collect) Tick(now, lastInput time.Time, quiet bool) error {
	if quiet {
		c.idles = append(c.idles, now)
		c.lastInput = lastInput
	}
	if c.onTick != nil {
		c.onTick(now)
	}
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

// run runs c over in as a stage given log lines does.
func (c *collect) run(cfg Config) error {
	if cfg.NewParser == nil {
		cfg.NewParser = newParser
	}
	cfg.Where = func(off int64) (string, int64, string) {
		c.offs = append(c.offs, off)
		return "", off, ""
	}
	return Run(cfg, c)
}

func newParser() Parser { return &parse.Parser{Keep: true} }

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
				if err := c.run(Config{In: in}); err != nil {
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
				if err := c.run(Config{In: in}); err != nil {
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
	if err := c.run(Config{In: strings.NewReader(in)}); err != nil {
		t.Fatal(err)
	}
	if want := []int64{0, MaxLine + 11}; !slices.Equal(c.offs, want) {
		t.Errorf("offsets after a too-long line (-want +got):\n-%v\n+%v", want, c.offs)
	}
}

func TestTooLongLine(t *testing.T) {
	in := strings.Repeat("x", MaxLine+10) + "\nok\n"
	c := &collect{}
	if err := c.run(Config{In: strings.NewReader(in)}); err != nil {
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
		if err := c.run(Config{In: strings.NewReader(in)}); err != nil {
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
	err := c.run(Config{In: io.MultiReader(strings.NewReader("a\n"), iotest.ErrReader(io.ErrUnexpectedEOF))})
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
	clk := clock.NewFake(time.Unix(1000, 0))
	c := &collect{}
	flushed := make(chan int, 100)
	c.onFlush = func() { flushed <- len(c.lines) }
	ticked := make(chan time.Time, 100)
	c.onTick = func(now time.Time) { ticked <- now }
	done := make(chan error)
	go func() { done <- c.run(Config{In: pr, Clock: clk}) }()

	pw.Write([]byte("a\nb\n"))
	// Both lines are handed over and flushed before Run waits again.
	for n := range flushed {
		if n == 2 {
			break
		}
	}
	// Each Advance returns once Run has taken its tick.
	clk.Advance(TickEvery) // the tick after input: not a whole quiet tick yet
	clk.Advance(TickEvery) // a whole tick without input: Idle
	clk.Advance(TickEvery)
	// Handled before c comes: a tick taken with c waiting is not quiet.
	for now := range ticked {
		if now.Equal(time.Unix(1003, 0)) {
			break
		}
	}
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

		lr := newLineReader(&chunkReader{data: in, r: r, max: 1 + r.IntN(3*batchBytes)}, true)
		lr.max = max
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
				got = append(got, want{string(l.text), l.off, l.tooLong})
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

// TestReaderForm: the line reader decides the form from the bytes as
// they come, however reads cut them, as the rule says it on whole lines:
// the first line that is not blank (spaces and tabs, after a byte order
// mark at the start, before a CR at the end) starts with '{' for records.
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
		want := Unknown
		for i, l := range strings.Split(in, "\n") {
			if i == 0 {
				l = strings.TrimPrefix(l, "\xef\xbb\xbf")
			}
			l = strings.TrimSuffix(l, "\r") // before the newline, or at the end of input
			if l = strings.TrimLeft(l, " \t"); l != "" {
				want = Logs
				if l[0] == '{' {
					want = Records
				}
				break
			}
		}
		lr := newLineReader(nil, false)
		for rest := []byte(in); len(rest) > 0 && lr.form == Unknown; {
			n := 1 + r.IntN(len(rest))
			lr.see(rest[:n])
			rest = rest[n:]
		}
		if lr.form != want {
			t.Errorf("%q: the reader decides %v, want %v", in, lr.form, want)
		}
	}
}

// items is a Handler keeping every item it is given, said as a string:
// what Run gives must not depend on the batches or on the parse-ahead.
type items struct{ got []string }

func (c *items) Item(it *Item) error {
	c.got = append(c.got, itemString(it.N, it.Form, it.Kind, it.Type, it.Req, it.Err))
	return nil
}
func (c *items) Tick(time.Time, time.Time, bool) error { return nil }
func (c *items) End() error                            { return nil }
func (c *items) Flush() error                          { return nil }

func itemString(n int64, f Form, k Kind, typ record.Type, r *record.Request, err error) string {
	s := fmt.Sprintf("%d form %d kind %d type %d", n, f, k, typ)
	if r != nil {
		s += " " + string(r.AppendJSON(nil))
	}
	if err != nil {
		s += " " + err.Error()
	}
	return s
}

// TestParseAhead: Run parses the lines ahead, batch by batch, in a
// goroutine of its own, each batch with its own parser and decoder whose
// scratch space lives until the batch is read into again; what comes out
// must be exactly what parsing every line on its own gives. The input
// spans many batches and mixes unescaped fields (the parser's scratch
// space), bad lines and records.
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
	for name, text := range inputs {
		for _, mixed := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/mixed %v", name, mixed), func(t *testing.T) {
				c := &items{}
				if err := Run(Config{In: strings.NewReader(text), NewParser: newParser, Mixed: mixed}, c); err != nil {
					t.Fatal(err)
				}
				var want []string
				form := Logs
				if !mixed && text[0] == '{' {
					form = Records
				}
				for i, l := range strings.Split(text, "\n") {
					var p parse.Parser
					var dec record.Decoder
					var r record.Request
					n := int64(i + 1)
					if form == Records {
						typ, err := dec.Record([]byte(l), &r)
						switch {
						case err != nil:
							want = append(want, itemString(n, form, Bad, record.TypeOther, nil, fmt.Errorf("not a valid record: %w", err)))
						case typ == record.TypeRequest:
							want = append(want, itemString(n, form, Request, typ, &r, nil))
						default:
							want = append(want, itemString(n, form, Record, typ, nil, nil))
						}
						continue
					}
					if mixed && strings.HasPrefix(l, "{") {
						if typ, err := dec.Record([]byte(l), &r); err == nil {
							if typ == record.TypeRequest {
								want = append(want, itemString(n, form, Request, typ, &r, nil))
							} else {
								want = append(want, itemString(n, form, Record, typ, nil, nil))
							}
							continue
						}
					}
					if err := p.Line([]byte(l), &r); err != nil {
						want = append(want, itemString(n, form, Bad, record.TypeOther, nil, err))
					} else {
						want = append(want, itemString(n, form, Request, record.TypeOther, &r, nil))
					}
				}
				if len(c.got) != len(want) {
					t.Fatalf("%d items, want %d", len(c.got), len(want))
				}
				for i := range want {
					if c.got[i] != want[i] {
						t.Fatalf("item %d (-want +got):\n-%s\n+%s", i+1, want[i], c.got[i])
					}
				}
			})
		}
	}
}

// TestRecordsAmongJSONLogs: records among the lines of a JSON access log
// (parse, Mixed) are told from its lines as MayBeRecord and the decoder
// alone tell them, although a line of the log, once its format is
// taken, goes to the parser first and is not searched when the parser
// read it whole and found no key "type" (Parser.NoRecord): records
// before and after the first line, keys "type" nested, escaped, not a
// record's, and a log whose mapping reads records as its own lines.
func TestRecordsAmongJSONLogs(t *testing.T) {
	const caddy = `{"level":"info","ts":1646861401.5241024,"logger":"http.log.access","msg":"handled request","request":{"remote_ip":"127.0.0.1","proto":"HTTP/2.0","method":"GET","host":"localhost","uri":"/","headers":{"User-Agent":["curl/7.82.0"]}},"duration":0.000929675,"size":10900,"status":200}`
	const request = `{"type":"request","time":"2015-05-17T10:05:03Z","remote":"1.2.3.4","method":"GET","path":"/r","status":200,"bytes":1}`
	lines := []string{
		request,
		`{"type":"alert","n":1}`,
		caddy,
		request,
		strings.Replace(request, `"type"`, `"t\u0079pe"`, 1),
		strings.Replace(caddy, `"level"`, `"type":"x","level"`, 1),
		strings.Replace(caddy, `"level"`, `"t\u0079pe":"request","level"`, 1),
		strings.Replace(caddy, `"proto"`, `"type":"request","proto"`, 1),
		strings.Replace(caddy, `"uri":"/"`, `"uri":"/type"`, 1),
		`{"type":"summary"}`,
		`{"ts":1646861401.5,"request":{"method":"GET","uri":"/x"},"type":"request"}`,
		`{"type":"request","time":"2015-05-17T10:05:04Z","status":200}`,
		`{"ts":1646861401.5,"request":{"method":"GET","uri":"/x"},"status":"bad"}`,
		`{bad`,
		caddy,
	}
	text := strings.Join(lines, "\n")
	for _, format := range []string{"caddy", "auto", "json:time=time,path=path,status=status"} {
		t.Run(format, func(t *testing.T) {
			f, err := parse.Lookup(format)
			if err != nil {
				t.Fatal(err)
			}
			stream := f.NewStream()
			newP := func() Parser { p := stream.NewParser(); p.Keep = true; return p }
			c := &items{}
			if err := Run(Config{In: strings.NewReader(text), NewParser: newP, Mixed: true}, c); err != nil {
				t.Fatal(err)
			}
			// What reading each line as a record first, when
			// MayBeRecord says it may be one, gives.
			ref := f.NewStream().NewParser()
			for i, l := range lines {
				n := int64(i + 1)
				var want string
				var dec record.Decoder
				var r record.Request
				if typ, err := dec.Record([]byte(l), &r); err == nil && record.MayBeRecord([]byte(l)) {
					if typ == record.TypeRequest {
						want = itemString(n, Logs, Request, typ, &r, nil)
					} else {
						want = itemString(n, Logs, Record, typ, nil, nil)
					}
				} else if err := ref.Line([]byte(l), &r); err != nil {
					want = itemString(n, Logs, Bad, record.TypeOther, nil, err)
				} else {
					want = itemString(n, Logs, Request, record.TypeOther, &r, nil)
				}
				if i >= len(c.got) || c.got[i] != want {
					t.Errorf("line %d (-want +got):\n-%s\n+%s", n, want, c.got[min(i, len(c.got)-1)])
				}
			}
		})
	}
}

// TestJSONLogsAreNotRecords: inputs starting with '{' are records when
// their first line is an object with a "type" (or JSON gone wrong, which
// is then an invalid record), and a JSON access log (Caddy's, Traefik's)
// when it is a valid object without one: its lines go to the log parser
// as log lines. The first such line decides, once.
func TestJSONLogsAreNotRecords(t *testing.T) {
	const caddy = `{"level":"info","ts":1646861401.5241024,"logger":"http.log.access","msg":"handled request"}`
	const request = `{"type":"request","time":"2015-05-17T10:05:03Z","remote":"1.2.3.4","status":200,"bytes":1}`
	for _, tc := range []struct {
		name, in string
		want     []Form // of each line
		kinds    []Kind
	}{
		{"json log", caddy + "\n" + request + "\n", []Form{Logs, Logs}, []Kind{Bad, Bad}},
		{"records", request + "\n" + caddy + "\n", []Form{Records, Records}, []Kind{Request, Bad}},
		{"broken json first", "{\"type\":\n" + request + "\n", []Form{Records, Records}, []Kind{Bad, Request}},
		{"blank first", "\n" + caddy + "\n", []Form{Unknown, Logs}, []Kind{Bad, Bad}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []Form
			var kinds []Kind
			h := handlerFunc(func(it *Item) {
				got = append(got, it.Form)
				kinds = append(kinds, it.Kind)
			})
			if err := Run(Config{In: strings.NewReader(tc.in), NewParser: newParser}, h); err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) || fmt.Sprint(kinds) != fmt.Sprint(tc.kinds) {
				t.Errorf("forms %v kinds %v, want %v %v", got, kinds, tc.want, tc.kinds)
			}
		})
	}
}

// handlerFunc is a Handler that sees items only.
type handlerFunc func(it *Item)

func (f handlerFunc) Item(it *Item) error                   { f(it); return nil }
func (f handlerFunc) Tick(time.Time, time.Time, bool) error { return nil }
func (f handlerFunc) End() error                            { return nil }
func (f handlerFunc) Flush() error                          { return nil }

// TestPrepare: Prepare sees every request, parsed from a line or decoded
// from a request record, before the handler does, and nothing else: not
// a bad line, not another record.
func TestPrepare(t *testing.T) {
	const request = `{"type":"request","time":"2015-05-17T10:05:03Z","remote":"1.2.3.4","path":"/rec","status":200,"bytes":1}`
	line := func(path string) string {
		return `1.2.3.4 - - [17/May/2015:10:05:03 +0000] "GET ` + path + ` HTTP/1.1" 200 1 "-" "-"`
	}
	text := strings.Join([]string{line("/a"), request, `{"type":"alert","n":1}`, "bad line", line("/b")}, "\n") + "\n"
	var prepared []string
	prepare := func(r *record.Request) {
		prepared = append(prepared, string(r.Path))
		r.Keys[0] = uint64(len(r.Path))
	}
	var seen []string
	h := handlerFunc(func(it *Item) {
		switch {
		case it.Kind == Request && it.Req.Keys[0] != uint64(len(it.Req.Path)):
			t.Errorf("line %d: request %q handed on unprepared", it.N, it.Req.Path)
		case it.Kind == Request:
			seen = append(seen, string(it.Req.Path))
		}
	})
	if err := Run(Config{In: strings.NewReader(text), NewParser: newParser, Mixed: true, Prepare: prepare}, h); err != nil {
		t.Fatal(err)
	}
	want := []string{"/a", "/rec", "/b"}
	if !slices.Equal(prepared, want) || !slices.Equal(seen, want) {
		t.Errorf("prepared %q, handed on %q, want %q", prepared, seen, want)
	}
}
