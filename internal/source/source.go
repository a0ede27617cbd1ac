// Package source opens what a command reads: standard input, or the
// files named on its command line ("-" among them for standard input),
// each decompressed when its first bytes say gzip, zstd or bzip2, and
// several files read as one stream of lines in time order. What comes out
// is one io.Reader of lines, the input layer's to split and parse, and a
// Where that says which file and byte each line of it came from.
package source

import (
	"bytes"
	"compress/bzip2"
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

// StdinName names standard input in diagnostics.
const StdinName = "<stdin>"

// Source is the stream of lines of one command's inputs.
type Source struct {
	io.Reader
	// Name is the one input's name, for diagnostics by line number
	// ("access.log:12"); "" when there are several, which Where tells
	// apart.
	Name string
	// Where maps a byte offset in the stream to the file its line came
	// from and the line's offset in that file (decompressed); nil with
	// one input, whose line numbers are its own.
	Where func(off int64) (id string, offset int64, path string)

	closers []io.Closer
}

// Close closes the files opened.
func (s *Source) Close() error {
	var errs []error
	for _, c := range s.closers {
		errs = append(errs, c.Close())
	}
	return errors.Join(errs...)
}

// TimeOf returns the event time of a line, in nanoseconds, when it has
// one it can tell (the command's log parser, or a record's "time"): the
// order several files are merged in.
type TimeOf func(line []byte) (ns int64, ok bool)

// Open opens the inputs names, in the order of their lines' times
// (timeOf): none means standard input, "-" is standard input too.
func Open(names []string, stdin io.Reader, timeOf TimeOf) (*Source, error) {
	if len(names) == 0 {
		names = []string{"-"}
	}
	s := &Source{}
	ins := make([]*namedIn, 0, len(names))
	stdins := 0
	for _, name := range names {
		in, err := s.open(name, stdin)
		if err != nil {
			s.Close()
			return nil, err
		}
		if name == "-" {
			stdins++
		}
		ins = append(ins, in)
	}
	if stdins > 1 {
		s.Close()
		return nil, fmt.Errorf("standard input (-) is named %d times: it can be read once", stdins)
	}
	if len(ins) == 1 {
		s.Reader, s.Name = ins[0].r, ins[0].name
		return s, nil
	}
	m, err := newMerge(ins, timeOf)
	if err != nil {
		s.Close()
		return nil, err
	}
	s.Reader, s.Where = m, m.where
	return s, nil
}

// namedIn is one named input, decompressed.
type namedIn struct {
	name string // the path as named, or StdinName
	r    io.Reader
}

func (s *Source) open(name string, stdin io.Reader) (*namedIn, error) {
	if name == "-" {
		r, err := decompress(stdin, StdinName)
		if err != nil {
			return nil, err
		}
		return &namedIn{name: StdinName, r: r}, nil
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, err // *PathError: says the path and why
	}
	s.closers = append(s.closers, f)
	if fi, err := f.Stat(); err == nil && fi.IsDir() {
		return nil, fmt.Errorf("%s is a directory, not a log file", name)
	}
	r, err := decompress(f, name)
	if err != nil {
		return nil, err
	}
	if c, ok := r.(io.Closer); ok {
		s.closers = append(s.closers, c)
	}
	return &namedIn{name: name, r: r}, nil
}

// The magic numbers of the compressions read, and of some that are not.
var (
	gzipMagic  = []byte{0x1f, 0x8b}
	zstdMagic  = []byte{0x28, 0xb5, 0x2f, 0xfd}
	bzip2Magic = []byte("BZh")
	unread     = []struct {
		magic []byte
		name  string
		tool  string
	}{
		{[]byte{0xfd, '7', 'z', 'X', 'Z', 0}, "xz", "xz -dc"},
		{[]byte{0x04, 0x22, 0x4d, 0x18}, "lz4", "lz4 -dc"},
		{[]byte("PK\x03\x04"), "zip", "unzip -p"},
		{[]byte{0x5d, 0, 0}, "lzma", "xz -dc"},
	}
)

// magicLen is the most bytes a magic number has.
const magicLen = 6

// decompress returns r decompressed when its first bytes say it is
// compressed, and r as it is otherwise. It reads no more than it must to
// tell: a live input that sends a short first line is not held up
// waiting for six bytes.
func decompress(r io.Reader, name string) (io.Reader, error) {
	head := make([]byte, 0, magicLen)
	var err error
	for len(head) < magicLen && maybeMagic(head) {
		var n int
		n, err = r.Read(head[len(head):magicLen])
		head = head[:len(head)+n]
		if err != nil {
			break
		}
	}
	if err == io.EOF {
		err = nil
	}
	pr := &prefixed{pre: head, r: r, err: err}
	switch {
	case bytes.HasPrefix(head, gzipMagic):
		// klauspost's gzip rather than compress/gzip: it inflates about
		// twice as fast, and a replay of an archive is mostly inflating.
		// Concatenated members (gzip -c a >> b) are read one after another.
		z, err := gzip.NewReader(pr)
		if err != nil {
			return nil, fmt.Errorf("%s: gzip: %w", name, err)
		}
		return &named{r: z, name: name, what: "gzip"}, nil
	case bytes.HasPrefix(head, zstdMagic):
		z, err := zstd.NewReader(pr)
		if err != nil {
			return nil, fmt.Errorf("%s: zstd: %w", name, err)
		}
		return &named{r: z, name: name, what: "zstd", close: z.Close}, nil
	case bytes.HasPrefix(head, bzip2Magic) && len(head) >= 4 && '1' <= head[3] && head[3] <= '9':
		return &named{r: bzip2.NewReader(pr), name: name, what: "bzip2"}, nil
	}
	for _, u := range unread {
		if bytes.HasPrefix(head, u.magic) {
			return nil, fmt.Errorf("%s is %s-compressed, which logmon does not read: %s it into logmon's standard input", name, u.name, u.tool)
		}
	}
	return pr, nil
}

// maybeMagic reports whether head may still turn out to start with a
// magic number.
func maybeMagic(head []byte) bool {
	if len(head) == 0 {
		return true
	}
	for _, m := range [][]byte{gzipMagic, zstdMagic, bzip2Magic, []byte("BZh1")} {
		if len(head) < len(m) && bytes.HasPrefix(m, head) {
			return true
		}
	}
	for _, u := range unread {
		if len(head) < len(u.magic) && bytes.HasPrefix(u.magic, head) {
			return true
		}
	}
	return false
}

// named is a decompressing reader whose errors say the input and the
// compression: a truncated archive is an error of that file.
type named struct {
	r     io.Reader
	name  string
	what  string
	close func()
}

func (n *named) Read(p []byte) (int, error) {
	k, err := n.r.Read(p)
	if err != nil && err != io.EOF {
		err = fmt.Errorf("%s: %s: %w", n.name, n.what, err)
	}
	return k, err
}

func (n *named) Close() error {
	if n.close != nil {
		n.close()
	}
	return nil
}

// prefixed reads pre, the bytes read to tell the compression, then r. It
// passes on r's SyscallConn, so that the input layer can still ask a pipe
// how much waits in it (see input.readable).
type prefixed struct {
	pre []byte
	r   io.Reader
	err error // the error of the read that got pre, given after it
}

func (p *prefixed) Read(b []byte) (int, error) {
	if len(p.pre) > 0 {
		n := copy(b, p.pre)
		p.pre = p.pre[n:]
		return n, nil
	}
	if p.err != nil {
		return 0, p.err
	}
	return p.r.Read(b)
}

// SyscallConn is r's, when it has one.
func (p *prefixed) SyscallConn() (syscall.RawConn, error) {
	if c, ok := p.r.(syscall.Conn); ok {
		return c.SyscallConn()
	}
	return nil, errors.ErrUnsupported
}
