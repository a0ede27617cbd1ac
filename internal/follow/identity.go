package follow

import (
	"bytes"
	"errors"
	"fmt"
	"io"
)

// fingerprintMax bounds the bytes a fingerprint covers. A first line is
// almost always shorter; a file whose first line is longer is identified
// by its first 4 KiB, so taking a fingerprint never reads more than that.
const fingerprintMax = 4096

// idString is how an identity is written: 16 hex digits.
func idString(sum uint64) string { return fmt.Sprintf("%016x", sum) }

// fingerprint takes the identity of the content r holds: the 64-bit
// FNV-1a hash of its first line (its bytes up to and including the first
// '\n'), or of its first 4096 bytes when the first line is longer. ok is
// false, with a nil error, when the content has no identity yet: no '\n'
// and fewer than 4096 bytes. It reads into scratch (at least
// fingerprintMax bytes).
//
// The identity belongs to the content, not to the inode or the name, the
// way Vector's checksum fingerprint does: it survives a rename and inode
// reuse, changes when truncation or copytruncate lets the file start over
// with new lines, and a copy made by copytruncate has the identity of the
// original, which is what lets a resume find the rest of its lines there.
// The known limit: two files that start with the same first line share an
// identity. Access logs start with a timestamped request, so in practice
// they do not.
// With final, a file
// that will not grow any more (it was rotated away) and has no '\n' is
// identified by all its bytes, so its only, unterminated line can still be
// returned; an empty file has no identity even so.
// It returns the hash; idString writes it as an identity.
func fingerprint(r io.ReaderAt, scratch []byte, final bool) (sum uint64, ok bool, err error) {
	n, err := r.ReadAt(scratch[:fingerprintMax], 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return 0, false, err
	}
	head := scratch[:n]
	if i := bytes.IndexByte(head, '\n'); i >= 0 {
		head = head[:i+1]
	} else if n < fingerprintMax && (!final || n == 0) {
		return 0, false, nil
	}
	return fnv1a(head), true, nil
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
