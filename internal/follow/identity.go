package follow

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"time"
)

// fingerprintMax bounds the bytes a fingerprint covers. Two access-log
// lines are almost always shorter; a file whose first two lines are longer
// is identified by the first 4 KiB after its leading NULs, so taking a
// fingerprint never hashes more than that.
const fingerprintMax = 4096

// idString is how an identity is written: 16 hex digits.
func idString(sum uint64) string { return fmt.Sprintf("%016x", sum) }

// ident is a file's identity and the bytes it was taken from: the 64-bit
// FNV-1a hash of the file's bytes [lead, end).
type ident struct {
	sum  uint64
	lead int64 // length of the run of NULs the file starts with
	end  int64 // just past the bytes hashed
}

// fingerprint takes the identity of the content r holds: the hash of its
// first two lines (its bytes up to and including the second '\n') after
// the run of NUL bytes it may start with, or of the first 4096 bytes after
// that run when those hold fewer than two lines. ok is false, with a nil
// error, when the content has no identity yet: fewer than two lines and
// fewer than 4096 bytes after its NULs. With final, content that will not
// grow any more (a rotated file) and has fewer is identified by all its
// bytes after its NULs, so its last lines can still be returned; content
// that is empty or only NULs has no identity even so. It reads into
// scratch (at least fingerprintMax bytes), starting its search for the
// end of the NULs at from (0, or a lead known to be all NULs).
//
// The identity belongs to the content, not to the inode or the name, the
// way Vector's checksum fingerprint does: it survives a rename and inode
// reuse, changes when truncation or copytruncate lets the file start over
// with new lines, and a copy made by copytruncate has the identity of the
// original, which is what lets a resume find the rest of its lines there.
//
// Why two lines after the NULs, and not the first line as before (issue
// 12, case 1): a file truncated while a line was half written starts with
// the tail of that line ("w"\n, the end of a user agent), the same tail
// each time; a file truncated under a writer without O_APPEND starts with
// as many NULs as the writer had written (4 KiB of them hash alike). Such
// files got one identity, and a resume went on at an offset of the wrong
// file. The NULs are skipped, and of two lines at least one is whole:
// either the first is, or the first is a fragment and the second, written
// after the truncation, is. A whole access-log line carries its time and
// client, so two files collide only if they start with the same fragment
// (or none) followed by the same request in the same second. What it
// cannot tell apart: two files whose first two lines are the same (a log
// copied by hand, or two truncations within one second before the same
// two requests); a fragment longer than 4 KiB, or whole lines longer than
// 4 KiB that repeat, at the start of two files. The cost: a new file's
// first line is returned once its second is complete (at once on a busy
// log), once the file is left, or once it has been alone for loneWait.
func fingerprint(r io.ReaderAt, scratch []byte, from int64, final bool) (id ident, ok bool, err error) {
	return fingerprintLines(r, scratch, from, 2, final)
}

// loneWait bounds how long a first line alone waits for a second: after
// it, with no second line complete, the file is identified by its first
// line after its NULs (fingerprintLines with 1), and the line is
// returned. A quiet log (a request a minute) so shows each new file's
// first line within 5 s rather than with the next request, and a file
// written once and never again is read at all. The price is the
// collision two lines avoid, in one narrow case: two files that start
// with the same fragment (or the same line) and get no second line for
// 5 s, both, share an identity.
const loneWait = 5 * time.Second

// fingerprintLines is fingerprint with the number of lines hashed: 2, or
// 1 for a first line that stayed alone (see loneWait).
func fingerprintLines(r io.ReaderAt, scratch []byte, from int64, lines int, final bool) (id ident, ok bool, err error) {
	buf := scratch[:fingerprintMax]
	lead := from
	for {
		n, err := r.ReadAt(buf, lead)
		if err != nil && !errors.Is(err, io.EOF) {
			return ident{}, false, err
		}
		i := 0
		for i < n && buf[i] == 0 {
			i++
		}
		lead += int64(i)
		if i < n {
			break
		}
		if n < len(buf) {
			return ident{}, false, nil // empty, or only NULs so far
		}
	}
	n, err := r.ReadAt(buf, lead)
	if err != nil && !errors.Is(err, io.EOF) {
		return ident{}, false, err
	}
	head := buf[:n]
	end := 0
	for range lines {
		i := bytes.IndexByte(head[end:], '\n')
		if i < 0 {
			end = -1
			break
		}
		end += i + 1
	}
	switch {
	case end >= 0:
		head = head[:end]
	case n < fingerprintMax && !final:
		return ident{}, false, nil
	}
	return ident{sum: fnv1a(head), lead: lead, end: lead + int64(len(head))}, true, nil
}

// same reports whether r still holds the bytes id was taken from: NUL
// just before them, and the same hash. It reads at most fingerprintMax
// bytes and one more, so it is cheap at every poll however long the run
// of NULs.
func (id ident) same(r io.ReaderAt, scratch []byte) (bool, error) {
	if id.lead > 0 {
		if _, err := r.ReadAt(scratch[:1], id.lead-1); err != nil {
			if errors.Is(err, io.EOF) {
				return false, nil
			}
			return false, err
		}
		if scratch[0] != 0 {
			return false, nil
		}
	}
	head := scratch[:id.end-id.lead]
	n, err := r.ReadAt(head, id.lead)
	if n < len(head) {
		if err == nil || errors.Is(err, io.EOF) {
			return false, nil
		}
		return false, err
	}
	return fnv1a(head) == id.sum, nil
}

// legacyID is the identity logmon gave a file before issue 12: the hash of
// its first line, or of its first 4096 bytes when that line is longer (""
// for an empty file). A resume from a state saved by that version finds
// its place by it once (the lines read on carry today's identity), rather
// than reading the whole log again after an upgrade. It is only ever
// compared with a saved position, never used to tell files apart.
func legacyID(r io.ReaderAt, scratch []byte) string {
	n, err := r.ReadAt(scratch[:fingerprintMax], 0)
	if n == 0 || err != nil && !errors.Is(err, io.EOF) {
		return ""
	}
	head := scratch[:n]
	if i := bytes.IndexByte(head, '\n'); i >= 0 {
		head = head[:i+1]
	}
	return idString(fnv1a(head))
}

// fnv1a is the 64-bit FNV-1a hash, written out so that taking a
// fingerprint at every idle poll allocates nothing.
func fnv1a(b []byte) uint64 {
	const (
		offset64 = 14695981039346656037
		prime64  = 1099511628211
	)
	h := uint64(offset64)
	for _, c := range b {
		h ^= uint64(c)
		h *= prime64
	}
	return h
}
