package record

import (
	"errors"
	"strings"
	"testing"
)

// plainObjectCases are lines plainObject must judge as Record does, and
// its answer for each.
var plainObjectCases = []struct {
	line  string
	plain bool
}{
	{`{}`, true},
	{` { } `, true},
	{`{} x`, false}, // Record: ErrNoType, but plainObject is not sure
	{`{"a":1}`, true},
	{`{"a":[],"b":{},"c":[{}],"d":[1,"x",true,false,null,-0.5e+3]}`, true},
	{`{"a" : { "b" : [ 1 , 2 ] } }` + "\t\r\n", true},
	{`{"type":"request","time":"2015-05-17T10:05:03Z"}`, false},
	{`{"a":1,"type":"summary"}`, false},
	{`{"a":{"type":1}}`, true}, // a nested type is no record's
	{`{"typ":1,"types":2}`, true},
	{`{"t\u0079pe":"request"}`, false},
	{`{"a":"\n"}`, false},
	{"{\"a\":\"\x01\"}", false},
	{`{"a":01}`, false},
	{`{"a":1.}`, false},
	{`{"a":.5}`, false},
	{`{"a":1e}`, false},
	{`{"a":-}`, false},
	{`{"a":tru}`, false},
	{`{"a":nul`, false},
	{`{"a":1,}`, false},
	{`{"a":1 "b":2}`, false},
	{`{"a" 1}`, false},
	{`{"a":[1}`, false},
	{`{"a":{1:2}}`, false},
	{`{"a":1}}`, false},
	{`{"a":1`, false},
	{`{"a`, false},
	{`[]`, false},
	{`"x"`, false},
	{``, false},
	{"\xef\xbb\xbf{}", false},
	{`{"level":"info","ts":1431820800.0793777,"request":{"remote_ip":"98.106.234.243","headers":{"User-Agent":["Mozilla/5.0"],"Accept":["*/*"]},"tls":{"resumed":false}},"duration":0.040609432,"size":1019,"status":200}`, true},
}

// TestPlainObject checks plainObject's answers, and that on each line
// where it says true Record, read the long way, says ErrNoType.
func TestPlainObject(t *testing.T) {
	for _, tc := range plainObjectCases {
		if got := plainObject([]byte(tc.line)); got != tc.plain {
			t.Errorf("plainObject(%q) = %v, want %v", tc.line, got, tc.plain)
		}
		checkPlainObject(t, tc.line)
	}
}

// checkPlainObject fails when plainObject says true of line and Record,
// without it, says other than ErrNoType.
func checkPlainObject(t *testing.T, line string) {
	t.Helper()
	if !plainObject([]byte(line)) {
		return
	}
	var d Decoder
	var r Request
	if _, err := d.record([]byte(line), &r); !errors.Is(err, ErrNoType) {
		t.Errorf("plainObject(%q) = true, but Record says %v", line, err)
	}
}

// checkMayBeRecord fails when Record reads line as a record and
// MayBeRecord says it cannot.
func checkMayBeRecord(t *testing.T, line string) {
	t.Helper()
	var d Decoder
	var r Request
	if _, err := d.Record([]byte(line), &r); err == nil && !MayBeRecord([]byte(line)) {
		t.Errorf("MayBeRecord(%q) = false, but Record reads it", line)
	}
}

func TestMayBeRecord(t *testing.T) {
	for _, line := range []string{
		`{"type":"request","time":"2015-05-17T10:05:03Z"}`,
		`{"t\u0079pe":"request","time":"2015-05-17T10:05:03Z"}`,
		`{"type":"summary"}`,
	} {
		if !MayBeRecord([]byte(line)) {
			t.Errorf("MayBeRecord(%q) = false, want true", line)
		}
		checkMayBeRecord(t, line)
	}
	for _, tc := range plainObjectCases {
		checkMayBeRecord(t, tc.line)
	}
	if MayBeRecord([]byte(plainObjectCases[len(plainObjectCases)-1].line)) {
		t.Error("MayBeRecord of a Caddy line = true, want false")
	}
}

// checkHasTypeKey fails when hasTypeKey differs from bytes.Contains.
func checkHasTypeKey(t *testing.T, line string) {
	t.Helper()
	want := strings.Contains(line, `"type"`)
	if got := hasTypeKey([]byte(line)); got != want {
		t.Errorf("hasTypeKey(%q) = %v, want %v", line, got, want)
	}
}

func TestHasTypeKey(t *testing.T) {
	for _, line := range []string{
		``, `y`, `"y`, `"ty`, `"typ`, `"type`, `"type"`, `x"type"`, `"type"x`,
		`typ"type"`, `"tyype"`, `"typy"type"`, `yyy"type"`, `"type "`,
		`{"key":"y","type":1}`, `{"typo":1,"yes":"type","x":"type"}`,
		`{"Type":"request"}`, `{"TYPE":"request"}`, `{"t\u0079pe":"request"}`,
		strings.Repeat(`{"y":"yy"}`, 50) + `"type"`,
		strings.Repeat(`{"y":"yy"}`, 50) + `"typ`,
	} {
		checkHasTypeKey(t, line)
	}
	for _, tc := range plainObjectCases {
		checkHasTypeKey(t, tc.line)
	}
}

// FuzzPlainObject: plainObject never says true where Record says other
// than ErrNoType, and MayBeRecord never false where Record reads a
// record.
func FuzzPlainObject(f *testing.F) {
	for _, tc := range plainObjectCases {
		f.Add(tc.line)
	}
	f.Add(`{"type":"request","time":"2015-05-17T10:05:03Z","t\u0079pe":"alert"}`)
	f.Fuzz(func(t *testing.T, line string) {
		checkPlainObject(t, line)
		checkMayBeRecord(t, line)
		checkHasTypeKey(t, line)
	})
}

// BenchmarkMayBeRecord: a Traefik line, which has no "type" key.
func BenchmarkMayBeRecord(b *testing.B) {
	line := []byte(traefikLine)
	b.SetBytes(int64(len(line)))
	for b.Loop() {
		if MayBeRecord(line) {
			b.Fatal("may be a record")
		}
	}
}

func BenchmarkPlainObject(b *testing.B) {
	line := []byte(traefikLine)
	b.SetBytes(int64(len(line)))
	for b.Loop() {
		if !plainObject(line) {
			b.Fatal("not plain")
		}
	}
}

// traefikLine is a line of Traefik's JSON access log, as gen writes it.
const traefikLine = `{"ClientAddr":"98.106.234.243:58765","ClientHost":"98.106.234.243","ClientPort":"58765","ClientUsername":"-","DownstreamContentSize":1019,"DownstreamStatus":200,"Duration":40609432,"OriginContentSize":1019,"OriginDuration":39391150,"OriginStatus":200,"Overhead":1218282,"RequestAddr":"api.example.com","RequestContentSize":0,"RequestCount":3,"RequestHost":"api.example.com","RequestMethod":"GET","RequestPath":"/api/v1/items","RequestPort":"-","RequestProtocol":"HTTP/1.1","RequestScheme":"https","RetryAttempts":0,"RouterName":"api@docker","ServiceAddr":"10.0.1.21:8080","ServiceName":"api@docker","StartLocal":"2015-05-17T00:00:00.038768308Z","StartUTC":"2015-05-17T00:00:00.038768308Z","entryPointName":"websecure","level":"info","msg":"","request_Referer":"https://www.example.com/blog","request_User-Agent":"Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1","time":"2015-05-17T00:00:00Z"}`
