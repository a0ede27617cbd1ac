package follow

import (
	"bufio"
	"compress/bzip2"
	"compress/gzip"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/klauspost/compress/zstd"
)

// member is a file of a log's rotated set: logrotate's and newsyslog's
// names for the rotations of access.log, and nothing else.
type member struct {
	name string // full path
	comp string // "", ".gz", ".bz2" or ".zst"
	// What the name says of the rotation's age: numbered ones
	// (access.log.3) are older the higher their number; dated ones
	// (access.log-20261123, access.log-20261123-1763900000) older the
	// earlier their date. num is the number, or -1 for a dated one; date
	// its digits.
	num  int
	date string
	info os.FileInfo // the file's, when it was listed
}

// compressions are the compressed forms of rotated files that are read,
// through the standard library's gzip and bzip2 readers and klauspost's
// zstd (the standard library has none).
var compressions = []string{".gz", ".bz2", ".zst"}

// rotationOf parses name as a rotation of the log named base:
//
//	base.N[.gz|.bz2|.zst]                  logrotate's default, newsyslog
//	base-YYYYMMDD[HH][.gz|.bz2|.zst]       logrotate's dateext (daily, hourly)
//	base-YYYYMMDD-SECONDS[.gz|.bz2|.zst]   dateext with dateformat -%Y%m%d-%s
//
// A name that merely starts with base (access.log.pos,
// access.log.other-vhost, access.log.1.tmp) is not a rotation.
func rotationOf(base, name string) (member, bool) {
	rest, ok := strings.CutPrefix(name, base)
	if !ok || rest == "" {
		return member{}, false
	}
	m := member{num: -1}
	for _, c := range compressions {
		if r, ok := strings.CutSuffix(rest, c); ok {
			rest, m.comp = r, c
			break
		}
	}
	if rest == "" {
		return member{}, false // access.log.gz: the log compressed, no rotation
	}
	switch rest[0] {
	case '.':
		n, err := strconv.Atoi(rest[1:])
		if err != nil || n < 1 || !allDigits(rest[1:]) {
			return member{}, false
		}
		m.num = n
	case '-':
		date, secs, _ := strings.Cut(rest[1:], "-")
		if (len(date) != 8 && len(date) != 10) || !allDigits(date) || (secs != "" && !allDigits(secs)) ||
			(secs == "" && strings.HasSuffix(rest, "-")) {
			return member{}, false
		}
		// Compare dates and seconds as numbers of one width.
		m.date = date + strings.Repeat("0", 10-len(date)) + fmt.Sprintf("%020s", secs)
	default:
		return member{}, false
	}
	return m, true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// older compares the ages a and b's names say: negative when a's says
// older. Numbered rotations are taken as older than dated ones.
func older(a, b member) int {
	switch {
	case a.num >= 0 && b.num >= 0:
		return b.num - a.num
	case a.num >= 0:
		return -1
	case b.num >= 0:
		return 1
	}
	return strings.Compare(a.date, b.date)
}

// rotatedSet lists the rotated files of the log at path, oldest first:
// regular files in its directory named as rotationOf says, in the order
// of their modification times, which their names break ties of.
//
// The modification time is when the file was last written: a rename
// keeps it, and so do gzip, bzip2 and zstd, hence logrotate and
// newsyslog, when they compress a file (copytruncate's copy gets the time
// of the copy, after its last line). Names alone do not give the order
// where rotations of several modes meet: logrotate with compress renames
// only the access.log.N.gz, and the plain access.log.N that create or
// copytruncate left stay beside them, older than the compressed file of
// the same number, or younger than one of a higher number. Nothing is
// left out for having a number or a date another file has: the file of
// a number can be any of them (the 30-minute soak lost the rest of one
// access.log.2.gz, a stale access.log.2 taken for it).
//
// The directory is read twice, and a name listed by either read is
// looked at: a read of a directory that a rename changes meanwhile may
// miss the renamed file (POSIX leaves it unspecified), and logrotate
// renames every file of the set, one after another, at each rotation.
func rotatedSet(path string) []member {
	dir, base := filepath.Split(path)
	var set []member
	listed := map[string]bool{}
	for range 2 {
		entries, err := os.ReadDir(filepath.Clean(dir))
		if err != nil {
			return nil
		}
		for _, e := range entries {
			m, ok := rotationOf(base, e.Name())
			if !ok || listed[e.Name()] {
				continue
			}
			listed[e.Name()] = true
			m.name = filepath.Join(dir, e.Name())
			set = append(set, m)
		}
	}
	// Stat each name once both reads are done: what it names now.
	kept := set[:0]
	for _, m := range set {
		fi, err := os.Lstat(m.name)
		if err != nil || !fi.Mode().IsRegular() {
			continue // gone meanwhile, or not a file
		}
		m.info = fi
		kept = append(kept, m)
	}
	set = kept
	slices.SortStableFunc(set, func(a, b member) int {
		if c := a.info.ModTime().Compare(b.info.ModTime()); c != 0 {
			return c
		}
		if c := older(a, b); c != 0 {
			return c
		}
		return strings.Compare(a.comp, b.comp) // "" first
	})
	return set
}

// source is a file being read: an *os.File, or a compressed rotated file
// read through its decompressor (a packed file).
type source interface {
	io.Reader
	io.ReaderAt
	io.Seeker
	io.Closer
	Stat() (fs.FileInfo, error)
}

// openMember opens a rotated file for reading, through its decompressor
// when it is compressed.
func openMember(m member) (source, error) {
	if m.comp == "" {
		return openFile(m.name)
	}
	return openPacked(m.name, m.comp)
}

// openSource opens the file name, through its decompressor when its name
// says it is compressed.
func openSource(name string) (source, error) {
	for _, c := range compressions {
		if strings.HasSuffix(name, c) {
			return openPacked(name, c)
		}
	}
	return openFile(name)
}

// packed reads a compressed rotated file as the log it holds: Read
// decompresses as it goes; Seek and ReadAt decompress again from the
// start, which is done once per file (to take its identity and to find
// a resume point), never per line. Compressed files are read, never
// written, and never grow.
type packed struct {
	file *os.File
	comp string
	r    io.Reader // the decompressed stream, at off
	off  int64
	zr   *zstd.Decoder
}

func openPacked(name, comp string) (*packed, error) {
	file, err := openFile(name)
	if err != nil {
		return nil, err
	}
	p := &packed{file: file, comp: comp}
	if err := p.rewind(); err != nil {
		p.Close()
		return nil, fmt.Errorf("follow %s: %w", name, err)
	}
	return p, nil
}

// rewind starts the decompressed stream again at its start.
func (p *packed) rewind() error {
	if _, err := p.file.Seek(0, io.SeekStart); err != nil {
		return err
	}
	p.off = 0
	in := bufio.NewReaderSize(p.file, 64<<10)
	switch p.comp {
	case ".gz":
		zr, err := gzip.NewReader(in)
		if err != nil {
			return err
		}
		p.r = zr // (gzip reads concatenated members, as gunzip does)
	case ".bz2":
		p.r = bzip2.NewReader(in)
	case ".zst":
		if p.zr == nil {
			zr, err := zstd.NewReader(in, zstd.WithDecoderConcurrency(1))
			if err != nil {
				return err
			}
			p.zr = zr
		} else if err := p.zr.Reset(in); err != nil {
			return err
		}
		p.r = p.zr
	}
	return nil
}

func (p *packed) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	p.off += int64(n)
	return n, err
}

// Seek goes to offset of the decompressed stream from its start (the only
// whence used).
func (p *packed) Seek(offset int64, whence int) (int64, error) {
	if whence != io.SeekStart || offset < 0 {
		return 0, fmt.Errorf("packed: unsupported seek %d, %d", offset, whence)
	}
	if offset < p.off {
		if err := p.rewind(); err != nil {
			return 0, err
		}
	}
	if _, err := io.CopyN(io.Discard, p, offset-p.off); err != nil && err != io.EOF {
		return p.off, err
	}
	return p.off, nil
}

// ReadAt reads the decompressed stream at off, leaving Read's place
// where it was.
func (p *packed) ReadAt(b []byte, off int64) (int, error) {
	at := p.off
	if _, err := p.Seek(off, io.SeekStart); err != nil {
		return 0, err
	}
	var n int
	var err error
	if p.off == off {
		n, err = io.ReadFull(p, b)
		if err == io.ErrUnexpectedEOF {
			err = io.EOF
		}
	} else {
		err = io.EOF
	}
	if _, serr := p.Seek(at, io.SeekStart); serr != nil && err == nil {
		err = serr
	}
	return n, err
}

func (p *packed) Stat() (fs.FileInfo, error) { return p.file.Stat() }

func (p *packed) Close() error {
	if p.zr != nil {
		p.zr.Close()
	}
	return p.file.Close()
}
