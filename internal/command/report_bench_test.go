package command

import (
	"bytes"
	"io"
	"strings"
	"testing"
)

// BenchmarkReport compares logmon report with logmon stats over the same
// raw log (parsed in-process by both), for the bound README states: the
// report adds at most 10 % to stats. Compare the two with benchstat or
// side by side; timing is never asserted in a test.
func BenchmarkReport(b *testing.B) {
	log, _ := benchInput(b)
	cases := []struct {
		name  string
		args  []string
		check func(out []byte) bool
	}{
		{"stats-raw", []string{"stats"}, func(out []byte) bool { return bytes.Contains(out, []byte(`"type":"summary"`)) }},
		{"report-raw", []string{"report"}, func(out []byte) bool {
			return bytes.HasSuffix(out, []byte("</html>\n")) && bytes.Contains(out, []byte("<polygon"))
		}},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(log)))
			var out bytes.Buffer
			for b.Loop() {
				out.Reset()
				if code := logmonWith(b, bytes.NewReader(log), &out, io.Discard, tc.args...); code != exitOK {
					b.Fatalf("exit %d", code)
				}
			}
			if !tc.check(out.Bytes()) {
				b.Fatalf("unexpected output, ending %.300s", strings.TrimSpace(out.String()[max(0, out.Len()-300):]))
			}
		})
	}
}
