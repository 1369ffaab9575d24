package system

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// MaxFileSize is the most hub reads of any one file: a target's file, a
// configuration or variables file, a file(), the state, a key file. It is
// far above any real one, and bounds what a hostile file (a link to
// /dev/zero, a huge log named as a target) can make hub hold in memory.
const MaxFileSize = 16 << 20

// ErrNotRegular is returned for a path that is not a regular file once
// symlinks are followed: a named pipe (whose open or read would block hub
// forever), a device (/dev/zero never ends), a directory or a socket.
var ErrNotRegular = errors.New("not a regular file")

// ErrTooLarge is returned for a file larger than MaxFileSize.
var ErrTooLarge = fmt.Errorf("larger than the %d MiB hub reads", MaxFileSize>>20)

// readChunk is how much is read between two checks of cancellation.
const readChunk = 256 << 10

// ReadFile is hub's one way to read a file from disk. It reads only a regular
// file (after following symlinks) of at most MaxFileSize bytes, and stops
// when ctx is cancelled. The file is opened without blocking, so a named pipe
// is refused rather than waited on; a missing file gives an error wrapping
// fs.ErrNotExist, as os.ReadFile does.
func ReadFile(ctx context.Context, name string) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, &fs.PathError{Op: "read", Path: name, Err: err}
	}
	f, fi, err := openRegular(name, os.O_RDONLY)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// The size is a hint (a file may grow, /proc files say 0): read at most
	// one byte past the limit to tell.
	data := make([]byte, 0, fi.Size()+1)
	r := io.LimitReader(f, MaxFileSize+1)
	for {
		if err := ctx.Err(); err != nil {
			return nil, &fs.PathError{Op: "read", Path: name, Err: err}
		}
		if len(data) == cap(data) {
			data = append(data, 0)[:len(data)]
		}
		end := min(cap(data), len(data)+readChunk)
		n, err := r.Read(data[len(data):end])
		data = data[:len(data)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, &fs.PathError{Op: "read", Path: name, Err: err}
		}
	}
	if len(data) > MaxFileSize {
		return nil, &fs.PathError{Op: "read", Path: name, Err: ErrTooLarge}
	}
	return data, nil
}

// openRegular opens name with flag, without blocking (a named pipe would
// otherwise wait for a writer forever), and refuses anything but a regular
// file of at most MaxFileSize bytes: every open of a file hub reads or
// rewrites goes through it.
func openRegular(name string, flag int) (*os.File, fs.FileInfo, error) {
	f, err := os.OpenFile(name, flag|openNonblock, 0)
	if err != nil {
		return nil, nil, err
	}
	fi, err := f.Stat()
	switch {
	case err != nil:
	case !fi.Mode().IsRegular():
		err = &fs.PathError{Op: "read", Path: name, Err: fmt.Errorf("%w (%s)", ErrNotRegular, kind(fi.Mode()))}
	case fi.Size() > MaxFileSize:
		err = &fs.PathError{Op: "read", Path: name, Err: fmt.Errorf("%d bytes, %w", fi.Size(), ErrTooLarge)}
	}
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return f, fi, nil
}

// kind names what a non-regular file is, for the error.
func kind(m os.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&os.ModeNamedPipe != 0:
		return "a named pipe"
	case m&os.ModeSocket != 0:
		return "a socket"
	case m&os.ModeDevice != 0:
		return "a device"
	}
	return m.Type().String()
}

// A ContextReader is a System whose reads stop when a context is cancelled.
type ContextReader interface {
	ReadFileContext(ctx context.Context, name string) ([]byte, error)
}

// Read reads name through sys, honouring ctx when sys can.
func Read(ctx context.Context, sys System, name string) ([]byte, error) {
	if cr, ok := sys.(ContextReader); ok {
		return cr.ReadFileContext(ctx, name)
	}
	if err := ctx.Err(); err != nil {
		return nil, &fs.PathError{Op: "read", Path: name, Err: err}
	}
	return sys.ReadFile(name)
}

// ReadFileContext implements ContextReader.
func (OS) ReadFileContext(ctx context.Context, name string) ([]byte, error) {
	return ReadFile(ctx, name)
}

// ReadFileContext implements ContextReader: reads pass through.
func (r ReadOnly) ReadFileContext(ctx context.Context, name string) ([]byte, error) {
	return Read(ctx, r.System, name)
}
