package record

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

// fill sets every field of v, recursively, to a value of its own that is
// not zero: each call takes the next number from *n, so that two fields
// never hold the same value and a field written under another's name
// shows. Lists get two entries; pointers are set.
func fill(t *testing.T, v reflect.Value, n *int) {
	t.Helper()
	*n++
	switch v.Kind() {
	case reflect.Int, reflect.Int32, reflect.Int64:
		v.SetInt(int64(*n))
	case reflect.Uint32:
		v.SetUint(uint64(*n))
	case reflect.Float64:
		v.SetFloat(float64(*n) + 0.25)
	case reflect.Bool:
		v.SetBool(true)
	case reflect.String:
		v.SetString(fmt.Sprintf("s%d \"é\"", *n))
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			v.SetBytes([]byte(fmt.Sprintf("b%d \"é\"", *n)))
			return
		}
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		for i := range v.Len() {
			fill(t, v.Index(i), n)
		}
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(t, v.Elem(), n)
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			v.Set(reflect.ValueOf(time.Unix(1431857103+int64(*n), int64(*n)*1000).UTC()))
			return
		}
		for i := range v.NumField() {
			if v.Type() == reflect.TypeFor[Request]() && requestLocal[v.Type().Field(i).Name] {
				continue
			}
			fill(t, v.Field(i), n)
		}
	default:
		t.Fatalf("fill: a field of kind %v: teach fill and the codec about it", v.Kind())
	}
}

// requestLocal are the fields of Request that stay in the process: never
// encoded, never copied into bytes of their own.
var requestLocal = map[string]bool{"Keys": true, "Hashed": true}

// filled returns a T with every field set (see fill).
func filled[T any](t *testing.T) *T {
	t.Helper()
	v := new(T)
	n := 0
	fill(t, reflect.ValueOf(v).Elem(), &n)
	return v
}

// TestEveryFieldRoundTrips fails when a field of a record struct is
// missing from its codec: every field is set, and the record written
// and read back must be the same value.
func TestEveryFieldRoundTrips(t *testing.T) {
	t.Run("request", func(t *testing.T) {
		roundTrip(t, TypeRequest, (*Request).AppendJSON, func(d *Decoder, line []byte, r *Request) error {
			_, err := d.Record(line, r)
			return err
		})
	})
	t.Run("summary", func(t *testing.T) { roundTrip(t, TypeSummary, (*Summary).AppendJSON, (*Decoder).Summary) })
	t.Run("alert", func(t *testing.T) { roundTrip(t, TypeAlert, (*Alert).AppendJSON, (*Decoder).Alert) })
}

// roundTrip writes a T with every field set (see fill), reads it back and
// checks it is the same value.
func roundTrip[T any](t *testing.T, typ Type, appendJSON func(*T, []byte) []byte, decode func(*Decoder, []byte, *T) error) {
	t.Helper()
	want := filled[T](t)
	line := appendJSON(want, nil)
	checkType(t, line, typ)
	var d Decoder
	var got T
	if err := decode(&d, line, &got); err != nil {
		t.Fatalf("decoding %s: %v", line, err)
	}
	if !reflect.DeepEqual(&got, want) {
		t.Errorf("%s read back (-want +got):\n-%+v\n+%+v", line, *want, got)
	}
}

// checkType checks that line is valid JSON of the type typ.
func checkType(t *testing.T, line []byte, typ Type) {
	t.Helper()
	if !json.Valid(line) {
		t.Fatalf("invalid JSON %s", line)
	}
	var d Decoder
	var r Request
	if got, err := d.Record(line, &r); err != nil || got != typ {
		t.Fatalf("Record(%s) = %v, %v, want %v", line, got, err, typ)
	}
}

// TestAppendJSONBytes pins the bytes of a summary and an alert with every
// field set, as encoding/json wrote them before the codec was written by
// hand (field order, omitted fields, numbers, times in UTC).
func TestAppendJSONBytes(t *testing.T) {
	tests := []struct {
		name string
		got  []byte
		want string
	}{
		{"summary", filled[Summary](t).AppendJSON(nil), `{"type":"summary","host":"s2 \"é\"","start":"2015-05-17T10:05:06.000003Z","end":"2015-05-17T10:05:07.000004Z","partial":true,"requests":6,"rate":7.25,"bytes":8,"sections":[{"section":"s11 \"é\"","hits":12,"error":13},{"section":"s15 \"é\"","hits":16,"error":17}],"status":{"1xx":19,"2xx":20,"3xx":21,"4xx":22,"5xx":23,"other":24,"none":25},"error_share":26.25,"methods":[{"method":"s29 \"é\"","hits":30,"error":31},{"method":"s33 \"é\"","hits":34,"error":35}],"clients":[{"client":"s38 \"é\"","hits":39,"error":40},{"client":"s42 \"é\"","hits":43,"error":44}],"networks":[{"network":"s47 \"é\"","hits":48,"error":49,"asn":50,"as_org":"s51 \"é\""},{"network":"s53 \"é\"","hits":54,"error":55,"asn":56,"as_org":"s57 \"é\""}],"distinct_clients":58,"distinct_sketch":"YjU5ICLDqSI=","late":60,"timed":61,"p50":62.25,"p90":63.25,"p99":64.25,"max":65.25,"latency_sketch":"YjY2ICLDqSI=","stream":"s67 \"é\"","seq":68}`},
		{"empty summary", new(Summary).AppendJSON(nil), `{"type":"summary","start":"0001-01-01T00:00:00Z","end":"0001-01-01T00:00:00Z","requests":0,"rate":0,"bytes":0,"sections":[],"status":{"1xx":0,"2xx":0,"3xx":0,"4xx":0,"5xx":0,"other":0},"error_share":0,"methods":[],"clients":[],"networks":[],"distinct_clients":0,"late":0}`},
		{"alert", filled[Alert](t).AppendJSON(nil), `{"type":"alert","id":"s2 \"é\"","rule":"s3 \"é\"","state":"s4 \"é\"","time":"2015-05-17T10:05:08.000005Z","hits":6,"rate":7.25,"threshold":8.25,"window":9,"errors":11,"ratio":13.25,"expected":15.25,"deviation":17.25,"quantile":19.25,"timed":21,"latency":23.25,"message":"s24 \"é\""}`},
		{"empty alert", new(Alert).AppendJSON(nil), `{"type":"alert","id":"","rule":"","state":"","time":"0001-01-01T00:00:00Z","hits":0,"rate":0,"threshold":0,"window":0,"message":""}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if string(tt.got) != tt.want {
				t.Errorf("AppendJSON (-want +got):\n-%s\n+%s", tt.want, tt.got)
			}
		})
	}
}

// TestAppendJSONKeepsItsReceiver: writing a record changes nothing in it;
// times are written in UTC and nil lists as [] all the same.
func TestAppendJSONKeepsItsReceiver(t *testing.T) {
	zone := time.FixedZone("X", 2*3600)
	s := &Summary{Start: time.Unix(1431857100, 0).In(zone), End: time.Unix(1431857110, 0).In(zone)}
	before := *s
	line := string(s.AppendJSON(nil))
	if !reflect.DeepEqual(*s, before) {
		t.Errorf("Summary.AppendJSON changed its receiver (-want +got):\n-%+v\n+%+v", before, *s)
	}
	for _, want := range []string{`"start":"2015-05-17T10:05:00Z"`, `"sections":[]`, `"methods":[]`, `"clients":[]`, `"networks":[]`} {
		if !strings.Contains(line, want) {
			t.Errorf("summary %s does not hold %s", line, want)
		}
	}
	a := &Alert{Time: time.Unix(1431857100, 5e8).In(zone)}
	beforeA := *a
	line = string(a.AppendJSON(nil))
	if !reflect.DeepEqual(*a, beforeA) {
		t.Errorf("Alert.AppendJSON changed its receiver (-want +got):\n-%+v\n+%+v", beforeA, *a)
	}
	if want := `"time":"2015-05-17T10:05:00.5Z"`; !strings.Contains(line, want) {
		t.Errorf("alert %s does not hold %s", line, want)
	}
}

// TestAppendFloat checks appendFloat against encoding/json on the edges
// of its two formats and on random numbers of every magnitude.
func TestAppendFloat(t *testing.T) {
	cases := []float64{0, math.Copysign(0, -1), 1, -1, 0.1, 4.2, 1.0 / 42, 1e-6, 9.99999e-7, 1e-7, 1.5e-300,
		5e-324, 1e20, 1e21, 9.999999e20, 123456789012345678901234.0, math.MaxFloat64, -1e-9, 1e100}
	r := rand.New(rand.NewPCG(7, 8))
	for range 100000 {
		f := math.Float64frombits(r.Uint64())
		if math.IsNaN(f) || math.IsInf(f, 0) {
			continue
		}
		cases = append(cases, f)
	}
	for range 10000 {
		cases = append(cases, math.Round(r.Float64()*1e6)/1e3) // rates to 3 decimals
	}
	for _, f := range cases {
		want, err := json.Marshal(f)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendFloat([]byte("x"), f)[1:]; !bytes.Equal(got, want) {
			t.Fatalf("appendFloat(%v) (-want +got):\n-%s\n+%s", f, want, got)
		}
	}
	for _, f := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		if got := string(appendFloat(nil, f)); got != "null" {
			t.Errorf("appendFloat(%v) = %s, want null", f, got)
		}
	}
}

// TestDecodeSummaryAndAlert reads records as encoding/json read them: an
// unknown field is skipped, a null leaves its field alone (nil for an
// optional one), a time may have an offset, an integer may be -0.
func TestDecodeSummaryAndAlert(t *testing.T) {
	var d Decoder
	var s Summary
	line := ` {"x":[{"y":null}],"type":"summary","start":"2015-05-17T12:05:00+02:00","end":null,"partial":false,"requests":-0,` +
		`"rate":2.5e-1,"sections":null,"methods":[null,{"method":"GET","hits":1,"z":{}}],"status":{"2xx":1,"9xx":2},"late":null} `
	if err := d.Summary([]byte(line), &s); err != nil {
		t.Fatal(err)
	}
	want := Summary{Start: time.Unix(1431857100, 0).UTC(), Rate: 0.25, Methods: []MethodHits{{}, {Method: "GET", Hits: 1}}, Status: StatusClasses{C2xx: 1}}
	if !reflect.DeepEqual(s, want) {
		t.Errorf("Summary(%s) (-want +got):\n-%+v\n+%+v", line, want, s)
	}
	var a Alert
	line = `{"type":"alert","errors":null,"ratio":0.5,"expected":null,"message":"m","state":null}`
	if err := d.Alert([]byte(line), &a); err != nil {
		t.Fatal(err)
	}
	if a.Errors != nil || a.Ratio == nil || *a.Ratio != 0.5 || a.Expected != nil || a.Message != "m" || a.State != "" {
		t.Errorf("Alert(%s) = %+v", line, a)
	}
}

// TestDecodeErrors: a summary or an alert with a field of the wrong type
// is refused, with the field's name in the error.
func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name, line, want string
	}{
		{"requests a string", `{"type":"summary","requests":"x"}`, `"requests" is not an integer`},
		{"requests a float", `{"type":"summary","requests":1.5}`, `"requests" is not an integer`},
		{"rate a string", `{"type":"summary","rate":"1"}`, `"rate" is not a number`},
		{"rate too large", `{"type":"summary","rate":1e400}`, `"rate" is out of range`},
		{"partial a number", `{"type":"summary","partial":1}`, `"partial" is not true or false`},
		{"bad start", `{"type":"summary","start":"2015-02-30T00:00:00Z"}`, `bad "start"`},
		{"start a number", `{"type":"summary","start":5}`, `"start" is not a string`},
		{"sections an object", `{"type":"summary","sections":{}}`, `"sections" is not a list`},
		{"entry a string", `{"type":"summary","clients":["a"]}`, `an entry of "clients" is not an object`},
		{"hits a string", `{"type":"summary","methods":[{"hits":"1"}]}`, `"hits" is not an integer`},
		{"asn negative", `{"type":"summary","networks":[{"asn":-1}]}`, `"asn" is out of range`},
		{"asn too large", `{"type":"summary","networks":[{"asn":4294967296}]}`, `"asn" is out of range`},
		{"status a list", `{"type":"summary","status":[]}`, `"status" is not an object`},
		{"status count a string", `{"type":"summary","status":{"5xx":"1"}}`, `"5xx" is not an integer`},
		{"text after", `{"type":"summary"}{}`, `text after the record`},
		{"deep", `{"type":"summary","x":` + strings.Repeat("[", 200) + strings.Repeat("]", 200) + `}`, `nested deeper than 100`},
		{"alert time a number", `{"type":"alert","time":5}`, `"time" is not a string`},
		{"alert errors a float", `{"type":"alert","errors":0.5}`, `"errors" is not an integer`},
		{"alert message a list", `{"type":"alert","message":[]}`, `"message" is not a string`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var d Decoder
			var err error
			if strings.Contains(tt.line, `"alert"`) {
				err = d.Alert([]byte(tt.line), new(Alert))
			} else {
				err = d.Summary([]byte(tt.line), new(Summary))
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("decoding %s: error (-want +got):\n-%s\n+%v", tt.line, tt.want, err)
			}
		})
	}
}

// TestStatusClassesJSON: aggregate's state file keeps a summary's status
// counts through encoding/json, in the form of the summary's "status".
func TestStatusClassesJSON(t *testing.T) {
	c := StatusClasses{C1xx: 1, C2xx: 2, C3xx: 3, C4xx: 4, C5xx: 5, Other: 6, None: 7}
	data, err := json.Marshal(struct{ S StatusClasses }{c})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"S":{"1xx":1,"2xx":2,"3xx":3,"4xx":4,"5xx":5,"other":6,"none":7}}`; string(data) != want {
		t.Errorf("json.Marshal (-want +got):\n-%s\n+%s", want, data)
	}
	var back struct{ S StatusClasses }
	if err := json.Unmarshal(data, &back); err != nil || back.S != c {
		t.Errorf("json.Unmarshal(%s) = %+v, %v, want %+v", data, back.S, err, c)
	}
}

// TestEveryByteFieldCopied: CopyTo copies every field of a request, and
// the copy shares no byte with the original, so a request kept past its
// batch stays whole when the batch is read into again.
func TestEveryByteFieldCopied(t *testing.T) {
	r := filled[Request](t)
	buf := make([]byte, 0, r.Size())
	c, buf := r.CopyTo(buf)
	if !reflect.DeepEqual(&c, r) {
		t.Fatalf("copy differs (-want +got):\n-%+v\n+%+v", *r, c)
	}
	if len(buf) != r.Size() {
		t.Errorf("CopyTo appended %d bytes, Size says %d", len(buf), r.Size())
	}
	v := reflect.ValueOf(r).Elem()
	for i := range v.NumField() {
		f := v.Field(i)
		if f.Kind() != reflect.Slice || f.Len() == 0 {
			continue
		}
		f.Index(0).SetUint(f.Index(0).Uint() ^ 0xff) // change the original
		if reflect.DeepEqual(reflect.ValueOf(&c).Elem().Field(i).Interface(), f.Interface()) {
			t.Errorf("field %s is shared, not copied: add it to Request.bytes", v.Type().Field(i).Name)
		}
	}
}

// TestAppendFixed9 checks appendFloat's fast path against strconv on the
// numbers it takes: decimals of up to 12 places from 1e-7 to 1e7 (so
// that both sides of each bound and of 9 places are tried), and the
// neighbours of each; what it takes must be byte for byte strconv's.
func TestAppendFixed9(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	took := 0
	for range 300000 {
		places := r.IntN(13)
		f := float64(r.Int64N(1e13)) / math.Pow10(places)
		f *= math.Pow10(r.IntN(8) - 6)
		for _, g := range []float64{f, math.Nextafter(f, 0), math.Nextafter(f, 2e7), -f} {
			got, ok := appendFixed9([]byte("x"), g)
			if !ok {
				if len(got) != 1 {
					t.Fatalf("appendFixed9(%v) refused but wrote %q", g, got)
				}
				continue
			}
			took++
			if want := strconv.AppendFloat([]byte("x"), g, 'f', -1, 64); !bytes.Equal(got, want) {
				t.Fatalf("appendFixed9(%v) (-want +got):\n-%s\n+%s", g, want, got)
			}
		}
	}
	if took < 100000 {
		t.Errorf("appendFixed9 took only %d numbers", took)
	}
}

func BenchmarkAppendFloat(b *testing.B) {
	buf := make([]byte, 0, 64)
	for _, f := range []float64{0.04, 0.040609432, 1.5, 123.456} {
		b.Run(strconv.FormatFloat(f, 'f', -1, 64), func(b *testing.B) {
			for b.Loop() {
				buf = appendFloat(buf[:0], f)
			}
		})
	}
}
