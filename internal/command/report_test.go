package command

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/logmon/logmon/internal/demo"
	"github.com/logmon/logmon/internal/record"
)

// The report is checked in a real browser: Debian's chromium, headless.
// The test skips only when it is missing (CI installs it: .ci/run).

// chromium returns the browser's path, or skips the test.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("chromium is missing: the report's browser tests need it (apt-get install chromium; .ci/run installs it)")
	return ""
}

// browse loads file in headless chromium and returns the DOM as the
// page left it (scripts, had any run, included: --dump-dom serialises
// the live document after load) and every console message the page
// wrote. A page with no script writes none; a Content-Security-Policy
// violation (a script or a load it blocked) is a console message too.
func browse(t *testing.T, file string, extra ...string) (dom string, console []string) {
	t.Helper()
	bin := chromium(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	args := append([]string{"--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
		"--user-data-dir=" + t.TempDir(), "--enable-logging=stderr", "--v=0",
		"--virtual-time-budget=3000"}, extra...)
	cmd := exec.CommandContext(ctx, bin, append(args, "file://"+file)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium: %v\n%s", err, cut(stderr.Bytes()))
	}
	for _, line := range strings.Split(stderr.String(), "\n") {
		if strings.Contains(line, ":CONSOLE") {
			console = append(console, line)
		}
	}
	return stdout.String(), console
}

// injected finds an element a payload would add: every payload's
// elements carry the id xssmark. A payload shown as text is serialised
// with &lt;, never as a tag.
var injected = regexp.MustCompile(`(?i)<[a-z][^<>]*xssmark`)

// checkPage fails unless the DOM has the title wanted, no script
// element, no element a payload added and no console message, and has
// drawn its charts.
func checkPage(t *testing.T, dom string, console []string, title string) {
	t.Helper()
	if !strings.Contains(dom, "<title>"+title+"</title>") {
		t.Errorf("the page's title changed (a payload ran?): %.300s", dom[strings.Index(dom, "<title>"):])
	}
	if strings.Contains(strings.ToLower(dom), "<script") {
		t.Errorf("the DOM has a script element")
	}
	if m := injected.FindAllString(dom, 5); m != nil {
		t.Errorf("payloads added elements: %q", m)
	}
	if len(console) > 0 {
		t.Errorf("console messages (none expected from a page with no script):\n%s", strings.Join(console, "\n"))
	}
	charts := regexp.MustCompile(`<svg class="chart"[^>]*>[\s\S]*?</svg>`).FindAllString(dom, -1)
	if len(charts) < 2 {
		t.Errorf("%d charts rendered, want at least 2", len(charts))
	}
	if !regexp.MustCompile(`<polygon points="[0-9.]+,[0-9.]+ [0-9.]+,`).MatchString(dom) {
		t.Errorf("no chart has a drawn area")
	}
}

// TestBrowserHarness shows that the harness catches what it looks for:
// a page whose script runs changes its title, adds a marked element and
// writes to the console.
func TestBrowserHarness(t *testing.T) {
	t.Parallel()
	chromium(t)
	file := filepath.Join(t.TempDir(), "control.html")
	page := `<!DOCTYPE html><html><head><title>control</title></head><body><script>console.error("control"); document.title = "XSS"; var b = document.createElement("b"); b.id = "xssmark"; document.body.appendChild(b);</script></body></html>`
	if err := os.WriteFile(file, []byte(page), 0o644); err != nil {
		t.Fatal(err)
	}
	dom, console := browse(t, file, "--dump-dom")
	if !strings.Contains(dom, "<title>XSS</title>") || !injected.MatchString(dom) || len(console) == 0 {
		t.Fatalf("the harness missed a script that ran: title changed %v, element found %v, console %q",
			strings.Contains(dom, "<title>XSS</title>"), injected.MatchString(dom), console)
	}
}

// xssPayloads try to run script (setting document.title to XSS), add an
// element (id xssmark) or load from elsewhere, from every context a
// string could land in: text, an attribute, a URL, CSS, SVG, a comment,
// the title, and Go's own template syntax.
var xssPayloads = []string{
	`<script>document.title='XSS'</script>`,
	`<img src=x onerror="document.title='XSS'" id=xssmark>`,
	`"><img src=x onerror=document.title='XSS' id=xssmark>`,
	`'><svg onload="document.title='XSS'" id=xssmark>`,
	`" onmouseover="document.title='XSS'" autofocus onfocus="document.title='XSS'" x="`,
	`javascript:document.title='XSS'`,
	`<a href="javascript:document.title='XSS'" id=xssmark>x</a>`,
	`</style><script>document.title='XSS'</script><b id=xssmark>`,
	`</title><script>document.title='XSS'</script><b id=xssmark>`,
	`<svg><script>document.title='XSS'</script><rect id=xssmark/></svg>`,
	`<svg/onload=document.title='XSS' id=xssmark>`,
	`</text></svg><img src=x onerror=document.title='XSS' id=xssmark>`,
	`{{.Title}}{{template "page" .}}{{define "x"}}<b id=xssmark>{{end}}`,
	`<iframe srcdoc="<script>parent.document.title='XSS'</script>" id=xssmark></iframe>`,
	`<math><mtext><table><mglyph><style><img src=x onerror=document.title='XSS' id=xssmark>`,
	`--><script>document.title='XSS'</script><!--`,
	`<meta http-equiv="refresh" content="0;url=javascript:document.title='XSS'" id=xssmark>`,
	`<object data="data:text/html,<script>document.title='XSS'</script>" id=xssmark></object>`,
	"\u2028\u2029<script>document.title='XSS'</script>",
	`<base href="http://evil.example/" id=xssmark>`,
	`<link rel=stylesheet href="http://evil.example/x.css" id=xssmark>`,
	`<div style="background:url(http://evil.example/x.png)" id=xssmark>`,
	`<form action="http://evil.example/"><button id=xssmark>x</button></form>`,
}

// marked prefixes payload i for field f with a token that survives any
// escaping, so the test can see that every payload reached the page.
func marked(f string, i int, p string) string { return fmt.Sprintf("M%s%02dM %s", f, i, p) }

// TestReportHostile feeds every payload through every field that reaches
// the report, as request records (any byte can be in any field), with
// alerts whose rule names are payloads, and through summaries' top
// lists, and proves in chromium that none ran or added an element.
func TestReportHostile(t *testing.T) {
	t.Parallel()
	chromium(t)
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var reqs, sums bytes.Buffer
	var tokens []string
	for i, p := range xssPayloads {
		r := record.Request{
			Sec:     start.Unix() + int64(i),
			Remote:  []byte(marked("host", i, p)),
			User:    []byte(marked("user", i, p)),
			Method:  []byte(marked("meth", i, p)),
			Path:    []byte(marked("path", i, p)),
			Section: []byte(marked("sect", i, p)),
			Status:  404,
			Bytes:   100,
			Referer: []byte(marked("refr", i, p)),
			Agent:   []byte(marked("agnt", i, p)),
			VHost:   []byte(marked("vhst", i, p)),
		}
		reqs.Write(r.AppendJSON(nil))
		reqs.WriteByte('\n')
		// A good client too, so that the networks table has rows.
		r.Remote = []byte(fmt.Sprintf("192.0.2.%d", i+1))
		reqs.Write(r.AppendJSON(nil))
		reqs.WriteByte('\n')
		for _, f := range []string{"host", "user", "meth", "path", "sect", "refr", "agnt"} {
			tokens = append(tokens, fmt.Sprintf("M%s%02dM", f, i))
		}
		at := start.Add(time.Duration(i) * 10 * time.Second)
		a := record.Alert{ID: marked("id", i, p), Rule: marked("rule", i, p), State: record.Firing, Time: at, Rate: 12, Threshold: 10, Window: 120, Message: marked("msg", i, p)}
		line := a.AppendJSON(nil)
		reqs.Write(line)
		reqs.WriteByte('\n')
		sums.Write(line)
		sums.WriteByte('\n')
		tokens = append(tokens, fmt.Sprintf("Mrule%02dM", i))
		s := record.Summary{Start: at, End: at.Add(10 * time.Second), Requests: 10, Rate: 1,
			Status:   record.StatusClasses{C2xx: 6, C4xx: 3, C5xx: 1},
			Sections: []record.SectionHits{{Section: marked("ssec", i, p), Hits: 5}},
			Methods:  []record.MethodHits{{Method: marked("smet", i, p), Hits: 5}},
			Clients:  []record.ClientHits{{Client: marked("scli", i, p), Hits: 5}},
			Networks: []record.NetworkHits{{Network: marked("snet", i, p), Hits: 5, ASN: 64500, ASOrg: marked("sorg", i, p)}},
		}
		sums.Write(s.AppendJSON(nil))
		sums.WriteByte('\n')
	}
	sumTokens := []string{}
	for i := range xssPayloads {
		for _, f := range []string{"ssec", "smet", "scli", "snet", "sorg", "rule"} {
			sumTokens = append(sumTokens, fmt.Sprintf("M%s%02dM", f, i))
		}
	}
	for _, tc := range []struct {
		name   string
		in     []byte
		tokens []string
	}{
		{"requests", reqs.Bytes(), tokens},
		{"summaries", sums.Bytes(), sumTokens},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			file := filepath.Join(t.TempDir(), "report.html")
			logmon(t, tc.in, "report", "--top", "1000", "-o", file).ok(t)
			html, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			for _, tok := range tc.tokens {
				if !bytes.Contains(html, []byte(tok)) {
					t.Errorf("payload %s is not on the page: the test would not see it run", tok)
				}
			}
			dom, console := browse(t, file, "--dump-dom")
			checkPage(t, dom, console, "logmon report")
		})
	}
}

// TestReportScreenshot makes the report the README shows, from the
// command it names, checks it in chromium and saves its screenshot;
// with -update it rewrites docs/report.png.
//
//	F='$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" $request_time'
//	logmon gen --seed 3 --start 2026-01-10T08:00:00Z --phases steady:20m,burst:3m:40,steady:10m,slow:5m,steady:15m --log-format "$F" |
//	  logmon report --log-format "$F" --latency 0.5 --latency-quantile 0.9 --window 30s > report.html
func TestReportScreenshot(t *testing.T) {
	t.Parallel()
	chromium(t)
	gen := logmon(t, nil, "gen", "--seed", "3", "--start", "2026-01-10T08:00:00Z",
		"--phases", "steady:20m,burst:3m:40,steady:10m,slow:5m,steady:15m", "--log-format", demo.Format).ok(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "report.html")
	logmon(t, []byte(gen.stdout), "report", "--log-format", demo.Format, "--latency", "0.5", "--latency-quantile", "0.9", "--window", "30s", "-o", file).ok(t)
	dom, console := browse(t, file, "--dump-dom")
	checkPage(t, dom, console, "logmon report")
	for _, want := range []string{"high_traffic", "latency", "Top 404 paths", "Top user agents"} {
		if !strings.Contains(dom, want) {
			t.Errorf("the report does not show %q", want)
		}
	}
	png := filepath.Join(dir, "report.png")
	browse(t, file, "--hide-scrollbars", "--window-size=1100,1500", "--screenshot="+png)
	data, err := os.ReadFile(png)
	if err != nil || !bytes.HasPrefix(data, []byte("\x89PNG")) || len(data) < 20000 {
		t.Fatalf("no screenshot (%v, %d bytes)", err, len(data))
	}
	if *update {
		if err := os.WriteFile(filepath.Join("..", "..", "docs", "report.png"), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestReportClientShares: the tables of clients and networks show each
// one's true hits and share of all requests, though in every interval
// more than 64 clients came. (They were the sums of each summary's top
// 64, which left out the many small clients: the heavy one showed 24.1 %
// of the requests where it made 16.7 %.)
func TestReportClientShares(t *testing.T) {
	var log strings.Builder
	start := time.Date(2015, 5, 17, 10, 0, 0, 0, time.UTC)
	for iv := range 6 {
		for i := range 120 {
			at := start.Add(time.Duration(iv*10)*time.Second + time.Duration(i)*time.Second/12)
			client := fmt.Sprintf("10.1.%d.%d", iv, i)
			if i%6 == 0 {
				client = "10.9.9.9" // 20 of each interval's 120
			}
			fmt.Fprintf(&log, "%s - - [%s] \"GET /p HTTP/1.1\" 200 1 \"-\" \"-\"\n", client, at.Format("02/Jan/2006:15:04:05 -0700"))
		}
	}
	var out, errs bytes.Buffer
	if code := logmonWith(t, strings.NewReader(log.String()), &out, &errs, "report"); code != exitOK {
		t.Fatalf("exit %d: %s", code, errs.String())
	}
	for _, want := range []string{
		`<td class="k">10.9.9.9</td><td class="n">120</td><td class="n">16.7 %</td>`,
		`<td class="k">10.9.9.0/24</td><td class="n">120</td><td class="n">16.7 %</td>`,
	} {
		if !strings.Contains(out.String(), want) {
			i := strings.Index(out.String(), "10.9.9.")
			t.Errorf("the page lacks %s; it has %.200s", want, out.String()[max(i-40, 0):])
		}
	}
}
