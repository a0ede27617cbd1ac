// Package gen generates realistic access-log traffic: a deterministic
// stream of requests from a fixed pool of clients, each with a duration
// from a long-tailed latency model, shaped by phases of steady traffic,
// bursts, slowdowns and silence, written in the Combined Log Format or any
// format logmon reads (format.go, formatstring.go). It feeds `logmon gen`
// and `logmon demo`.
package gen

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/logmon/logmon/internal/clock"
)

// Phase is one stretch of generated traffic.
type Phase struct {
	Kind     string        // "steady", "burst", "slow" or "silence" (informational; silence means Rate 0)
	Duration time.Duration // whole seconds
	Rate     float64       // mean requests per second in this phase (0 for silence)
	// Slowdown multiplies the durations of the phase's requests (see
	// Duration): 0 or 1 is the usual latency, 10 ten times slower.
	Slowdown float64
}

// ParsePhases parses a spec like "steady:2m:5,burst:90s:30,slow:1m:5:x10,silence:1m,steady:1m"
// into phases. Each phase is kind:duration[:rate][:xFACTOR]. The rate part
// is optional: steady and slow default to defRate, burst to 5*defRate;
// silence takes no rate and is always 0. Durations are Go durations in
// whole seconds ("90s", "2m"). xFACTOR multiplies the requests' durations
// (latency) in the phase: slow defaults to x10, the others to x1, and any
// kind but silence may take one ("burst:1m:40:x3", "slow:1m:x20").
func ParsePhases(spec string, defRate float64) ([]Phase, error) {
	if strings.TrimSpace(spec) == "" {
		return nil, errors.New("no phases given")
	}
	var phases []Phase
	for _, item := range strings.Split(spec, ",") {
		item = strings.TrimSpace(item)
		p, err := parsePhase(item, defRate)
		if err != nil {
			return nil, fmt.Errorf("bad phase %q: %w", item, err)
		}
		phases = append(phases, p)
	}
	return phases, nil
}

func parsePhase(s string, defRate float64) (Phase, error) {
	parts := strings.Split(s, ":")
	var factor string
	if n := len(parts); n >= 3 && strings.HasPrefix(parts[n-1], "x") {
		factor, parts = parts[n-1], parts[:n-1]
	}
	if len(parts) < 2 || len(parts) > 3 {
		return Phase{}, errors.New("want kind:duration[:rate][:xFACTOR]")
	}
	p := Phase{Kind: parts[0], Slowdown: 1}
	switch p.Kind {
	case "steady":
		p.Rate = defRate
	case "burst":
		p.Rate = 5 * defRate
	case "slow":
		p.Rate, p.Slowdown = defRate, DefaultSlowdown
	case "silence":
		if len(parts) == 3 {
			return Phase{}, errors.New("silence takes no rate")
		}
		if factor != "" {
			return Phase{}, errors.New("silence takes no latency factor")
		}
	default:
		return Phase{}, errors.New("kind must be steady, burst, slow or silence")
	}
	d, err := time.ParseDuration(parts[1])
	if err != nil || d <= 0 || d%time.Second != 0 {
		return Phase{}, fmt.Errorf("duration %q must be a positive whole number of seconds, like 90s or 2m", parts[1])
	}
	p.Duration = d
	if len(parts) == 3 {
		if p.Rate, err = strconv.ParseFloat(parts[2], 64); err != nil {
			return Phase{}, fmt.Errorf("rate %q is not a number", parts[2])
		}
	}
	if factor != "" {
		if p.Slowdown, err = strconv.ParseFloat(factor[1:], 64); err != nil {
			return Phase{}, fmt.Errorf("latency factor %q is not x and a number, like x10", factor)
		}
	}
	if err := checkSlowdown(p.Slowdown); err != nil || p.Slowdown == 0 {
		return Phase{}, fmt.Errorf("latency factor %q must be above x0 and at most x%d", factor, MaxSlowdown)
	}
	return p, checkRate(p.Rate)
}

// DefaultSlowdown is the latency factor of a slow phase; MaxSlowdown
// bounds any phase's (durations are cut at MaxDuration anyway).
const (
	DefaultSlowdown = 10
	MaxSlowdown     = 1000
)

func checkSlowdown(f float64) error {
	if !(f >= 0 && f <= MaxSlowdown) { // NaN too
		return fmt.Errorf("latency factor x%v is not between x0 and x%d", f, MaxSlowdown)
	}
	return nil
}

// MaxRate and MaxDisorder bound what gen will try: a second's lines and
// the disorder's buckets are held in memory.
const (
	MaxRate     = 1e6 // requests per second
	MaxDisorder = time.Hour
)

func checkRate(r float64) error {
	switch {
	case math.IsNaN(r) || math.IsInf(r, 0):
		return fmt.Errorf("rate %v is not a finite number", r)
	case r < 0:
		return fmt.Errorf("rate %v is negative", r)
	case r > MaxRate:
		return fmt.Errorf("rate %v is above %g requests per second", r, float64(MaxRate))
	}
	return nil
}

// Config says what to generate.
type Config struct {
	Seed     int64
	Start    time.Time     // event time of the first second (the fraction is dropped)
	Phases   []Phase       // traffic shape, one after the other
	Disorder time.Duration // lines are written up to this much out of timestamp order (like a real server logging at request end); 0 = sorted
	// Unique makes every request come from a client address no earlier
	// request had, for a path with a section of its own: the worst case
	// for stats' distinct counts and top lists (10 M lines, 10 M clients,
	// 10 M sections). Addresses run through 100.0.0.0/8 and beyond.
	Unique bool
	// Clients is the size of the client pool (0 means DefaultClients).
	// The clients' request shares follow a Zipf law whatever the size;
	// a large pool gives the long tail of one-off visitors that a busy
	// site has, which is what makes log analysers work hard.
	Clients  int
	Realtime bool        // pace output to the clock: the lines of event second s are written when Clock says s has come
	Clock    clock.Clock // paces Realtime output; nil means clock.System
	// Format is the log format written; nil means Combined. The traffic
	// is the same in every format (the same seed gives the same requests,
	// durations included); see Format for what differs.
	Format *Format
}

// Write writes the traffic to w as log lines in cfg.Format (Combined by
// default), one per request, each ending in "\n", after the format's
// header lines if it has any (W3C, CloudFront), and returns how many lines
// it handed to w, header lines included.
//
// Without Realtime the output goes through a 64 KiB buffer, flushed at the
// end. In realtime mode, before writing the lines of event second s it waits
// until Clock.Now() >= s, so with Start = now the timestamps
// are current; it flushes after each second, calling w's Flush() error
// method too if w has one, and returns at the end of the last phase (in a
// format that logs at the request's end, once the last request has ended).
//
// It stops at the end of the last phase, at the first write error (returned)
// or when ctx is cancelled (ctx.Err() is returned, after flushing what was
// generated so far).
func Write(ctx context.Context, cfg Config, w io.Writer) (lines int64, err error) {
	if err := cfg.Check(); err != nil {
		return 0, err
	}
	total, _ := checkPhases(cfg.Phases)
	clk := cfg.Clock
	if clk == nil {
		clk = clock.System
	}
	var flusher interface{ Flush() error }
	if cfg.Realtime {
		flusher, _ = w.(interface{ Flush() error })
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	flush := func() error {
		if err := bw.Flush(); err != nil || flusher == nil {
			return err
		}
		return flusher.Flush()
	}
	f := cmp.Or(cfg.Format, Combined)
	g := newGenerator(cfg.Seed, cfg.Disorder, cmp.Or(cfg.Clients, DefaultClients), f)
	g.unique = cfg.Unique
	start := cfg.Start.Unix()
	if f.header != nil {
		hdr := f.header(nil, time.Unix(start, 0).UTC())
		if _, err := bw.Write(hdr); err != nil {
			return 0, err
		}
		lines += int64(bytes.Count(hdr, []byte("\n")))
	}

	phase, phaseEnd := -1, int64(0)
	s := int64(0)
	for ; s < total || g.queued > 0; s++ {
		if err := ctx.Err(); err != nil {
			flush()
			return lines, err
		}
		if s < total {
			for s >= phaseEnd {
				phase++
				phaseEnd += int64(cfg.Phases[phase].Duration / time.Second)
			}
			g.second(start+s, s, cfg.Phases[phase])
		}
		if cfg.Realtime {
			if err := waitUntil(ctx, clk, time.Unix(start+s, 0)); err != nil {
				flush()
				return lines, err
			}
		}
		n, err := g.emit(bw, s)
		lines += n
		if err != nil {
			return lines, err
		}
		if cfg.Realtime {
			if err := flush(); err != nil {
				return lines, err
			}
		}
	}
	if cfg.Realtime {
		// The last second lasts a second too: return when the phases end.
		if err := waitUntil(ctx, clk, time.Unix(start+s, 0)); err != nil {
			return lines, err
		}
	}
	return lines, flush()
}

// checkPhases validates phases and returns their total length in seconds.
// Check says what is wrong with cfg, if anything: Write refuses such a
// config, and a command line can refuse it first as a usage error.
func (cfg Config) Check() error {
	if _, err := checkPhases(cfg.Phases); err != nil {
		return err
	}
	if cfg.Disorder < 0 || cfg.Disorder > MaxDisorder {
		return fmt.Errorf("disorder %v is not between 0 and %v", cfg.Disorder, MaxDisorder)
	}
	if cfg.Clients < 0 || cfg.Clients > MaxClients {
		return fmt.Errorf("clients %d is not between 1 and %d", cfg.Clients, MaxClients)
	}
	return nil
}

// checkPhases checks the phases and returns how many seconds they span.
func checkPhases(phases []Phase) (int64, error) {
	var total int64
	for i, p := range phases {
		if p.Duration < 0 || p.Duration%time.Second != 0 {
			return 0, fmt.Errorf("phase %d (%s): duration %v is not a whole number of seconds", i+1, p.Kind, p.Duration)
		}
		if err := checkRate(p.Rate); err != nil {
			return 0, fmt.Errorf("phase %d (%s): %w", i+1, p.Kind, err)
		}
		if err := checkSlowdown(p.Slowdown); err != nil {
			return 0, fmt.Errorf("phase %d (%s): %w", i+1, p.Kind, err)
		}
		total += int64(p.Duration / time.Second)
	}
	return total, nil
}

// waitUntil waits until c says t has come, or ctx is cancelled.
func waitUntil(ctx context.Context, c clock.Clock, t time.Time) error {
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		d := t.Sub(c.Now())
		if d <= 0 {
			return nil
		}
		select {
		case <-c.After(d):
		case <-ctx.Done():
		}
	}
}

// poisson draws from a Poisson distribution with mean lambda: Knuth's
// product of uniforms for small means, a rounded normal above 30, where
// the two are close and Knuth's method would cost lambda draws.
func poisson(r *rand.Rand, lambda float64) int {
	if lambda <= 0 {
		return 0
	}
	if lambda > 30 {
		return int(max(0, math.Round(lambda+math.Sqrt(lambda)*r.NormFloat64())))
	}
	limit, p := math.Exp(-lambda), 1.0
	for k := 0; ; k++ {
		if p *= r.Float64(); p <= limit {
			return k
		}
	}
}

// generator makes the lines. Each line has a key, the time the server
// logs it: its timestamp plus, with disorder, a delay. Lines are built once,
// into the bucket of the second of their key, and a bucket is written out
// in key order when its second has come.
type generator struct {
	r        *rand.Rand
	disorder time.Duration
	// x draws what the Combined format does not show (durations, client
	// ports, X-Forwarded-For), so that r draws the same requests in every
	// format and Combined's output is what it was before there were others.
	x      *rand.Rand
	format *Format
	w      lineWriter // the format's, with its caches
	req    request    // the request being written

	clients weighted[*client] // Zipf-skewed
	unique  bool              // see Config.Unique
	n       uint64            // lines generated, for unique addresses and paths

	ts      []byte   // "[17/May/2015:10:05:03 +0000]" of the second being generated
	sec     int64    // the Unix second being generated
	slow    float64  // the latency factor of the phase being generated
	offs    []int64  // sub-second offsets of the second being generated
	buckets []bucket // ring: the lines to log in second s are in buckets[s%len]
	queued  int      // lines in all buckets
}

// A bucket holds the lines to log in one second. Sorting only these,
// rather than all the lines still waiting, took BenchmarkWrite/disorder=2s
// from about 590 to 450 ms per million lines.
type bucket struct {
	arena []byte
	lines []entry
}

// entry is a line waiting in a bucket.
type entry struct {
	key      int64 // when the server logs it: nanoseconds since Start
	off, end int   // the line is arena[off:end]
}

type client struct {
	addr  string
	user  string // used on about 1 line in 50
	agent string
	proto string
}

func newGenerator(seed int64, disorder time.Duration, numClients int, f *Format) *generator {
	r := rand.New(rand.NewPCG(uint64(seed), 0x9e3779b97f4a7c15))
	g := &generator{r: r, disorder: disorder, format: f, w: f.new(),
		x: rand.New(rand.NewPCG(uint64(seed), 0x5851f42d4c957f2d))}
	g.req.seed = uint64(seed)
	// A line generated in second s is logged by s+1+disorder (plus the
	// request's duration, at most MaxDuration, in a format that logs at
	// the request's end), so this many buckets never wrap onto one not
	// yet written.
	late := disorder
	if f.atEnd {
		late += MaxDuration
	}
	g.buckets = make([]bucket, 1+(late+time.Second-1)/time.Second)
	clients := make([]*client, numClients)
	for i := range clients {
		clients[i] = &client{
			addr:  randomAddr(r),
			user:  users[i%len(users)],
			agent: agents.pick(r),
			proto: protos.pick(r),
		}
	}
	// s=1.1, v=2: the top client sends about 10% of the requests, the top 10 about 40%.
	g.clients = zipf(clients, 1.1, 2)
	return g
}

// DefaultClients is the size of the default client pool: enough for
// realistic top lists in a demo.
const DefaultClients = 300

// MaxClients bounds the client pool, which is held in memory.
const MaxClients = 10_000_000

// randomAddr returns a public-looking IPv4 address, or 1 time in 16 an IPv6 one.
func randomAddr(r *rand.Rand) string { return string(appendRandomAddr(nil, r)) }

// appendRandomAddr appends what randomAddr returns.
func appendRandomAddr(b []byte, r *rand.Rand) []byte {
	if r.IntN(16) == 0 {
		b = append(b, ipv6Prefixes[r.IntN(len(ipv6Prefixes))]...)
		b = append(b, "::"...)
		b = strconv.AppendUint(b, uint64(r.IntN(1<<16)), 16)
		b = append(b, ':')
		b = strconv.AppendUint(b, uint64(r.IntN(1<<16)), 16)
		return b
	}
	first := 1 + r.IntN(223)
	for first == 10 || first == 127 {
		first = 1 + r.IntN(223)
	}
	b = strconv.AppendInt(b, int64(first), 10)
	for range 3 {
		b = append(b, '.')
		b = strconv.AppendInt(b, int64(r.IntN(256)), 10)
	}
	return b
}

// second generates the requests of event second s (Unix second sec) in phase p.
func (g *generator) second(sec, s int64, p Phase) {
	n := poisson(g.r, p.Rate)
	if n == 0 {
		return
	}
	g.ts = time.Unix(sec, 0).UTC().AppendFormat(g.ts[:0], "[02/Jan/2006:15:04:05 -0700]")
	g.sec, g.slow = sec, p.Slowdown
	g.offs = g.offs[:0]
	for range n {
		g.offs = append(g.offs, g.r.Int64N(int64(time.Second)))
	}
	slices.Sort(g.offs)
	for _, off := range g.offs {
		key := s*int64(time.Second) + off
		if g.disorder > 0 {
			// Squared: most requests finish quickly, a few take nearly Disorder.
			u := g.r.Float64()
			key += int64(u * u * float64(g.disorder))
		}
		q := &g.req
		g.draw(q, off)
		if g.format.atEnd {
			// Logged when it ends, as servers do.
			key += int64(q.dur)
		}
		b := &g.buckets[key/int64(time.Second)%int64(len(g.buckets))]
		begin := len(b.arena)
		b.arena = g.w.appendLine(b.arena, q)
		b.lines = append(b.lines, entry{key, begin, len(b.arena)})
	}
	g.queued += n
}

// emit writes the lines to log in second s, in key order.
func (g *generator) emit(w *bufio.Writer, s int64) (n int64, err error) {
	b := &g.buckets[s%int64(len(g.buckets))]
	if g.disorder > 0 || g.format.atEnd {
		// Ties on key go by arena offset, which is generation order: the
		// result of a stable sort, which is about 1.5x slower (1000 lines).
		slices.SortFunc(b.lines, func(x, y entry) int {
			return cmp.Or(cmp.Compare(x.key, y.key), cmp.Compare(x.off, y.off))
		})
	}
	for _, e := range b.lines {
		if _, err := w.Write(b.arena[e.off:e.end]); err != nil {
			return n, err
		}
		n++
	}
	g.queued -= len(b.lines)
	b.arena, b.lines = b.arena[:0], b.lines[:0]
	return n, nil
}

// request is one generated request, drawn by draw and written by a
// format's lineWriter.
type request struct {
	n       uint64 // its number, from 1
	seed    uint64 // the generator's seed, for the identifiers derived from n
	c       *client
	addr    []byte // the client's address (or the --unique one)
	user    string // "" for none
	sec     *section
	method  string
	path    string // the target, a query included; with --unique, after uniq
	uniq    []byte // with --unique, the "/u123" that comes before path
	proto   string
	status  int
	size    int64
	ref     string // referer: "" for none, else ref+refPath
	refPath string
	ts      []byte // "[17/May/2015:10:05:03 +0000]": start, to the second
	start   int64  // Unix nanoseconds of the request's start
	dur     time.Duration
	port    int    // the client's port
	xff     []byte // X-Forwarded-For, empty for none
}

// end is the Unix nanoseconds of the request's end.
func (q *request) end() int64 { return q.start + int64(q.dur) }

// draw draws the request at offset off of the current second. Its draws
// from g.r are those Combined has always made, in the same order, so the
// Combined output of a seed never changes; the rest come from g.x.
func (g *generator) draw(q *request, off int64) {
	r := g.r
	c := g.clients.pick(r)
	sec := sections.pick(r)
	path := sec.paths.pick(r)
	method := sec.methods.pick(r)
	status := statuses.pick(r)
	if status == 304 && method != "GET" {
		status = 200
	}

	g.n++
	q.n, q.c, q.sec, q.path, q.method, q.status, q.proto = g.n, c, sec, path, method, status, c.proto
	q.addr, q.uniq = q.addr[:0], q.uniq[:0]
	if g.unique {
		q.addr = appendCounterAddr(q.addr, g.n)
		q.uniq = append(q.uniq, "/u"...)
		q.uniq = strconv.AppendUint(q.uniq, g.n, 36)
	} else {
		q.addr = append(q.addr, c.addr...)
	}
	q.user = ""
	if r.IntN(50) == 0 {
		q.user = c.user
	}
	q.size = g.size(sec, method, status)
	q.ref, q.refPath = "", ""
	switch n := r.IntN(100); {
	case n < 55:
	case n < 85:
		q.ref, q.refPath = siteURL, pages.pick(r)
	default:
		q.ref = externalReferers[r.IntN(len(externalReferers))]
	}
	q.ts = g.ts
	q.start = g.sec*int64(time.Second) + off

	x := g.x
	q.dur = Duration(x, g.slow)
	q.port = 32768 + x.IntN(28232) // Linux's ephemeral ports
	q.xff = q.xff[:0]
	if x.IntN(10) == 0 {
		// Behind a proxy or a CDN: the client's own address.
		q.xff = appendRandomAddr(q.xff, x)
	}
}

// appendCombined appends q as a Combined log line. It is built with
// append and strconv rather than fmt.Appendf: about 4x faster (250 against
// 1100 ns a line), and a generator slower than the parser it feeds would
// make a poor benchmark input.
func appendCombined(b []byte, q *request) []byte {
	b = append(b, q.addr...)
	b = appendIdentUser(b, q)
	b = append(b, q.ts...)
	b = append(b, " \""...)
	b = appendRequestLine(b, q)
	b = append(b, "\" "...)
	b = strconv.AppendInt(b, int64(q.status), 10)
	b = append(b, ' ')
	b = strconv.AppendInt(b, q.size, 10)
	b = append(b, " \""...)
	b = appendReferer(b, q, "-")
	b = append(b, "\" \""...)
	b = append(b, q.c.agent...)
	b = append(b, "\"\n"...)
	return b
}

// appendIdentUser appends " - USER " or " - - ".
func appendIdentUser(b []byte, q *request) []byte {
	if q.user == "" {
		return append(b, " - - "...)
	}
	b = append(b, " - "...)
	b = append(b, q.user...)
	return append(b, ' ')
}

// appendRequestLine appends "GET /path HTTP/1.1".
func appendRequestLine(b []byte, q *request) []byte {
	b = append(b, q.method...)
	b = append(b, ' ')
	b = appendTarget(b, q)
	b = append(b, ' ')
	return append(b, q.proto...)
}

// appendTarget appends the request target, query included.
func appendTarget(b []byte, q *request) []byte {
	b = append(b, q.uniq...)
	return append(b, q.path...)
}

// appendReferer appends the referer, or none when there is none.
func appendReferer(b []byte, q *request, none string) []byte {
	if q.ref == "" {
		return append(b, none...)
	}
	b = append(b, q.ref...)
	return append(b, q.refPath...)
}

// appendCounterAddr appends the IPv4 address 100.0.0.0 + n.
func appendCounterAddr(b []byte, n uint64) []byte {
	a := 100<<24 + n
	b = strconv.AppendUint(b, a>>24&0xff, 10)
	for _, shift := range []uint64{16, 8, 0} {
		b = append(b, '.')
		b = strconv.AppendUint(b, a>>shift&0xff, 10)
	}
	return b
}

// size returns a response size in bytes: log-normal around a typical size
// for the section, smaller for redirects and errors, 0 for 304 and HEAD.
func (g *generator) size(sec *section, method string, status int) int64 {
	mu, sigma := sec.sizeMu, sec.sizeSigma
	switch {
	case status == 304 || method == "HEAD":
		return 0
	case status == 301 || status == 302:
		mu, sigma = 5.4, 0.2 // ~220 B
	case status >= 400:
		mu, sigma = 6.2, 0.5 // ~500 B
	}
	return int64(math.Exp(mu + sigma*g.r.NormFloat64()))
}

// choice is one item of a weighted table.
type choice[T any] struct {
	v T
	w int
}

// weighted picks items with probability proportional to their weight.
type weighted[T any] struct {
	items []T
	cum   []float64 // running sum of the weights
}

func newWeighted[T any](cs []choice[T]) weighted[T] {
	var t weighted[T]
	sum := 0.0
	for _, c := range cs {
		sum += float64(c.w)
		t.items = append(t.items, c.v)
		t.cum = append(t.cum, sum)
	}
	return t
}

// zipf returns a table that picks items[k] with probability proportional
// to (k+v)^-s, the law of rand.Zipf, so that all picks in the package work
// one way. It is as fast as rand.Zipf: about 45 ns a pick over 300 items.
func zipf[T any](items []T, s, v float64) weighted[T] {
	t := weighted[T]{items: items}
	sum := 0.0
	for k := range items {
		sum += math.Pow(float64(k)+v, -s)
		t.cum = append(t.cum, sum)
	}
	return t
}

func (t *weighted[T]) pick(r *rand.Rand) T {
	u := r.Float64() * t.cum[len(t.cum)-1]
	lo, hi := 0, len(t.cum)-1
	for lo < hi { // the first i with u < cum[i]
		if m := int(uint(lo+hi) >> 1); u < t.cum[m] {
			hi = m
		} else {
			lo = m + 1
		}
	}
	return t.items[lo]
}

// section is one part of the simulated site.
type section struct {
	paths     weighted[string] // Zipf-skewed, most popular first
	methods   weighted[string]
	sizeMu    float64 // ln of the median size of a 200 response
	sizeSigma float64
}

var (
	readOnly = newWeighted([]choice[string]{{"GET", 960}, {"HEAD", 40}})
	apiCalls = newWeighted([]choice[string]{
		{"GET", 640}, {"POST", 220}, {"PUT", 50}, {"DELETE", 40}, {"OPTIONS", 35}, {"HEAD", 15},
	})
	forms  = newWeighted([]choice[string]{{"GET", 620}, {"POST", 360}, {"HEAD", 20}})
	admins = newWeighted([]choice[string]{{"GET", 780}, {"POST", 150}, {"PUT", 30}, {"DELETE", 30}, {"HEAD", 10}})

	sections = newWeighted([]choice[*section]{
		site(120, readOnly, 9.0, 0.4, []string{"/", "/favicon.ico", "/robots.txt", "/?utm_source=newsletter", "/sitemap.xml"}),
		site(220, readOnly, 9.8, 0.9, numbered([]string{"/static/js/app.js", "/static/css/site.css", "/static/js/vendor.js",
			"/static/fonts/inter.woff2", "/static/css/print.css", "/static/js/app.js?v=3"}, "/static/js/chunk-", ".js", 20)),
		site(150, readOnly, 10.8, 1.0, numbered([]string{"/images/logo.png", "/images/hero.jpg", "/images/icons/menu.svg"},
			"/images/photo-", ".jpg", 40)),
		site(120, readOnly, 9.6, 0.5, numbered([]string{"/blog", "/blog/feed.xml", "/blog?page=2", "/blog/tag/go"}, "/blog/post-", "", 60)),
		site(180, apiCalls, 6.5, 1.0, numbered(numbered([]string{"/api/v1/status", "/api/v1/items", "/api/v1/orders",
			"/api/v1/items?page=2", "/api/v1/search?q=shoes"}, "/api/v1/items/", "", 50), "/api/v1/users/", "", 30)),
		site(80, readOnly, 8.8, 0.4, []string{"/pages/about", "/pages/pricing", "/pages/contact", "/pages/faq", "/pages/team",
			"/pages/careers", "/pages/terms", "/pages/privacy"}),
		site(50, readOnly, 9.2, 0.6, []string{"/search?q=shoes", "/search?q=red+dress", "/search?q=golang", "/search?q=shoes&page=2",
			"/search?q=sale", "/search?q=gift+card", "/search?q=returns", "/search?q=jacket", "/search"}),
		site(30, forms, 8.0, 0.3, []string{"/login", "/login?next=%2Fadmin", "/login/reset"}),
		site(15, admins, 8.5, 0.6, numbered([]string{"/admin", "/admin/users", "/admin/settings", "/admin/logs"}, "/admin/users/", "", 20)),
	})

	statuses = newWeighted([]choice[int]{
		{200, 8000}, {304, 850}, {301, 120}, {302, 230}, {404, 550}, {401, 40}, {403, 80},
		{500, 60}, {502, 40}, {503, 30},
	})
	protos = newWeighted([]choice[string]{{"HTTP/1.1", 70}, {"HTTP/2.0", 25}, {"HTTP/1.0", 5}})
	agents = newWeighted([]choice[string]{
		{"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36", 300},
		{"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36", 120},
		{"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.51", 50},
		{"Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0", 60},
		{"Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0", 40},
		{"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15", 80},
		{"Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1", 150},
		{"Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36", 100},
		{"Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", 15},
		{"Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)", 10},
		{"Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)", 5},
		{"curl/8.5.0", 20},
		{"python-requests/2.31.0", 15},
		{"Go-http-client/1.1", 10},
		{"Wget/1.21.4", 5},
	})
	users        = []string{"alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi"}
	ipv6Prefixes = []string{"2001:db8:85a3", "2a02:8070:41c2", "2600:1700:3e10", "2a01:cb00:87a"}

	siteURL = "https://www.example.com"
	// pages are the site's own pages that link to others, most popular
	// first: the path part of its referers.
	pages = zipf(numbered([]string{"/", "/blog", "/pages/pricing", "/search?q=shoes", "/pages/about",
		"/blog?page=2", "/search?q=golang", "/pages/faq", "/login"}, "/blog/post-", "", 30), 1.2, 1)
	externalReferers = []string{
		"https://www.google.com/", "https://www.bing.com/", "https://duckduckgo.com/",
		"https://news.ycombinator.com/", "https://t.co/x7Tq2LmZ", "https://www.reddit.com/r/golang/",
	}
)

// site returns a section of the site, picked with the given weight.
func site(weight int, methods weighted[string], sizeMu, sizeSigma float64, paths []string) choice[*section] {
	return choice[*section]{&section{zipf(paths, 1.2, 1), methods, sizeMu, sizeSigma}, weight}
}

// numbered returns paths followed by prefix+i+suffix for i in 1..n.
func numbered(paths []string, prefix, suffix string, n int) []string {
	for i := 1; i <= n; i++ {
		paths = append(paths, prefix+strconv.Itoa(i)+suffix)
	}
	return paths
}
