package record

import "testing"

// TestRecordNegativeBytes: "bytes" is a response size. A log line with a
// negative size is rejected (Line: bad size "-1"), and so must a record
// be, as one with a negative "offset" is: stats would otherwise subtract
// it from the interval's bytes. From testdata/bad/records_types.jsonl.
func TestRecordNegativeBytes(t *testing.T) {
	for _, line := range []string{
		`{"type":"request","time":"2015-05-17T10:05:04Z","path":"/bad-bytes-negative","status":200,"bytes":-1}`,
		`{"type":"request","time":"2015-05-17T10:05:04Z","bytes":-9223372036854775808}`,
	} {
		var d Decoder
		var r Request
		if typ, err := d.Record([]byte(line), &r); err == nil {
			t.Errorf("Record(%s) = %v, nil with bytes %d, want an error", line, typ, r.Bytes)
		}
	}
}
