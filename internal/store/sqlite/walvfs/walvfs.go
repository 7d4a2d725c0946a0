// Package walvfs is an SQLite VFS that writes a transaction's WAL frames
// to the file in one system call instead of two per frame.
//
// SQLite appends each frame to the write-ahead log with two writes, its
// 24-byte header and then the page. A commit of a hundred random pages
// costs two hundred pwrite calls, which on the write path of groupd took
// two fifths of the writer's CPU time. This VFS wraps the default one (unix)
// and, for WAL files only, gathers writes that continue where the last
// one ended in memory, handing them to the wrapped file in one write when
// the commit frame is complete. Everything else reaches the wrapped VFS
// unchanged: database and journal files are the default VFS's own files,
// without a layer in between, but for a database file's sync and close.
//
// It also syncs the database file before a WAL's frames are lost, which
// lets the sync at the end of a checkpoint be left out (dbsync.go).
//
// Nothing becomes visible or durable later than without it: readers find
// a transaction's frames through the wal-index, which SQLite updates only
// after the commit frame's write returned, and by then the frames are in
// the file. Any other use of the file (a read, a sync, its size, a
// truncation, a write elsewhere, closing it) first writes what is
// gathered. A failed write is reported by the call that made it, which
// is the commit's own write or a later one of the same transaction, so
// SQLite rolls back as it would have.
package walvfs

import (
	"encoding/binary"
	"fmt"
	"sync"
	"sync/atomic"
	"unsafe"

	"modernc.org/libc"
	lib "modernc.org/sqlite/lib"
)

// Name is the VFS's name, for the vfs parameter of a database URI.
const Name = "groupd-walbuf"

const (
	frameHeader = 24 // bytes of a WAL frame's header
	// maxGathered bounds the memory of one WAL file: a larger transaction
	// is written in pieces of about this size (non-commit frames may go
	// out in any grouping).
	maxGathered = 4 << 20
	// maxWrite is the most the unix VFS writes in one call: it masks a
	// write's length with 0x1ffff (and then reports a longer one as a
	// full disk), so gathered bytes go out in pieces of whole pages below
	// that.
	maxWrite = 0x1ffff &^ 0xfff
)

// file is the start of every file this VFS opens for a WAL: SQLite's
// sqlite3_file (whose methods are ours), the gathered writes, and then,
// at realOffset, the wrapped VFS's own file.
type file struct {
	base   lib.Tsqlite3_file
	buf    uintptr // C memory holding the gathered writes
	n      int64   // bytes gathered
	capa   int64   // bytes buf holds
	start  int64   // file offset of buf's first byte
	next   int64   // offset just past the last write; -1 after a failure
	commit int32   // the last write gathered is a commit frame's header
	name   uintptr // the file's path (SQLite's, valid while it is open)
}

const realOffset = (unsafe.Sizeof(file{}) + 15) &^ 15

var (
	// writes counts the writes handed to wrapped WAL files; tests read it.
	writes       atomic.Int64
	registerOnce sync.Once
	registerErr  error
	vfs          lib.Tsqlite3_vfs // the registered VFS
	real         uintptr          // the wrapped VFS (sqlite3_vfs *)
	methods      lib.Tsqlite3_io_methods
)

// Register registers the VFS under Name, once per process; databases
// opened with vfs=Name use it.
func Register() error {
	registerOnce.Do(func() { registerErr = register() })
	return registerErr
}

func register() error {
	tls := libc.NewTLS()
	defer tls.Close()
	real = lib.Xsqlite3_vfs_find(tls, 0)
	if real == 0 {
		return fmt.Errorf("walvfs: sqlite has no default VFS")
	}
	r := (*lib.Tsqlite3_vfs)(cptr(real))
	name, err := libc.CString(Name)
	if err != nil {
		return fmt.Errorf("walvfs: %w", err)
	}
	// The wrapped VFS's methods serve for everything but opening a file;
	// those of unix ignore the sqlite3_vfs they are given.
	vfs = *r
	vfs.FpNext = 0
	vfs.FzName = name
	vfs.FszOsFile = r.FszOsFile + int32(realOffset)
	setFunc(&vfs.FxOpen, xOpen)
	setFunc(&vfs.FxDelete, xDelete)

	methods.FiVersion = 3
	setFunc(&methods.FxClose, xClose)
	setFunc(&methods.FxRead, xRead)
	setFunc(&methods.FxWrite, xWrite)
	setFunc(&methods.FxTruncate, xTruncate)
	setFunc(&methods.FxSync, xSync)
	setFunc(&methods.FxFileSize, xFileSize)
	setFunc(&methods.FxLock, xLock)
	setFunc(&methods.FxUnlock, xUnlock)
	setFunc(&methods.FxCheckReservedLock, xCheckReservedLock)
	setFunc(&methods.FxFileControl, xFileControl)
	setFunc(&methods.FxSectorSize, xSectorSize)
	setFunc(&methods.FxDeviceCharacteristics, xDeviceCharacteristics)
	setFunc(&methods.FxShmMap, xShmMap)
	setFunc(&methods.FxShmLock, xShmLock)
	setFunc(&methods.FxShmBarrier, xShmBarrier)
	setFunc(&methods.FxShmUnmap, xShmUnmap)
	setFunc(&methods.FxFetch, xFetch)
	setFunc(&methods.FxUnfetch, xUnfetch)

	if rc := lib.Xsqlite3_vfs_register(tls, uintptr(unsafe.Pointer(&vfs)), 0); rc != lib.SQLITE_OK {
		return fmt.Errorf("walvfs: register: sqlite error %d", rc)
	}
	return nil
}

// cptr turns an address in C memory (SQLite's, or the C heap of libc)
// into a pointer; the Go collector neither moves nor frees that memory.
func cptr(p uintptr) unsafe.Pointer { return *(*unsafe.Pointer)(unsafe.Pointer(&p)) }

// setFunc stores a Go function where SQLite expects a C function pointer,
// as the transpiled SQLite itself does.
func setFunc[F any](slot *uintptr, f F) { *(*F)(unsafe.Pointer(slot)) = f }

// fn reads the C function pointer p as a Go function of type F.
func fn[F any](p uintptr) F { return *(*F)(unsafe.Pointer(&struct{ uintptr }{p})) }

func shim(p uintptr) *file { return (*file)(cptr(p)) }

// wrapped returns the wrapped file of p and its methods.
func wrapped(p uintptr) (uintptr, *lib.Tsqlite3_io_methods) {
	w := p + realOffset
	return w, (*lib.Tsqlite3_io_methods)(cptr((*lib.Tsqlite3_file)(cptr(w)).FpMethods))
}

func xOpen(tls *libc.TLS, _ uintptr, zName, p uintptr, flags int32, pOutFlags uintptr) int32 {
	open := fn[func(*libc.TLS, uintptr, uintptr, uintptr, int32, uintptr) int32]((*lib.Tsqlite3_vfs)(cptr(real)).FxOpen)
	if flags&lib.SQLITE_OPEN_WAL == 0 {
		// The wrapped VFS's file, with its methods, and nothing between
		// but our sync and close of a database file (dbsync.go).
		rc := open(tls, real, zName, p, flags, pOutFlags)
		if rc == lib.SQLITE_OK && flags&lib.SQLITE_OPEN_MAIN_DB != 0 && zName != 0 {
			hookDatabase(p, libc.GoString(zName))
		}
		return rc
	}
	f := shim(p)
	*f = file{next: -1, name: zName}
	if rc := open(tls, real, zName, p+realOffset, flags, pOutFlags); rc != lib.SQLITE_OK {
		return rc // f.base.pMethods stays nil: SQLite will not close it
	}
	f.base.FpMethods = uintptr(unsafe.Pointer(&methods))
	return lib.SQLITE_OK
}

func xClose(tls *libc.TLS, p uintptr) int32 {
	f := shim(p)
	rc := flush(tls, p)
	w, m := wrapped(p)
	if rc2 := fn[func(*libc.TLS, uintptr) int32](m.FxClose)(tls, w); rc == lib.SQLITE_OK {
		rc = rc2
	}
	if f.buf != 0 {
		libc.Xfree(tls, f.buf)
		f.buf, f.capa = 0, 0
	}
	return rc
}

// xWrite gathers a write that continues the previous one, and writes the
// gathered bytes once a commit frame is complete or the gathering is
// large; any other write first writes what is gathered, then itself.
func xWrite(tls *libc.TLS, p, zBuf uintptr, iAmt int32, iOfst int64) int32 {
	f := shim(p)
	if iOfst == 0 {
		// The WAL's header: the file starts over, and the frames it held
		// are lost once this is written (dbsync.go).
		if rc := syncDatabaseOf(p); rc != lib.SQLITE_OK {
			return rc
		}
	}
	if iOfst != f.next || !reserve(tls, f, int64(iAmt)) {
		if rc := flush(tls, p); rc != lib.SQLITE_OK {
			return rc
		}
		// A commit frame's header is always followed by its page, so
		// this write, when not elsewhere, completes the frame.
		f.next, f.commit = -1, 0
		w, m := wrapped(p)
		writes.Add(1)
		rc := fn[func(*libc.TLS, uintptr, uintptr, int32, int64) int32](m.FxWrite)(tls, w, zBuf, iAmt, iOfst)
		if rc == lib.SQLITE_OK {
			f.next = iOfst + int64(iAmt)
		}
		return rc
	}
	if f.n == 0 {
		f.start = iOfst
	}
	src := unsafe.Slice((*byte)(cptr(zBuf)), iAmt)
	copy(unsafe.Slice((*byte)(cptr(f.buf+uintptr(f.n))), iAmt), src)
	f.n += int64(iAmt)
	f.next = iOfst + int64(iAmt)
	completes := f.commit != 0
	f.commit = 0
	// A frame header names, in its second word, the database size in
	// pages after a commit, and zero in every other frame.
	if iAmt == frameHeader && binary.BigEndian.Uint32(src[4:8]) != 0 {
		f.commit = 1
	}
	if completes || f.n >= maxGathered {
		return flush(tls, p)
	}
	return lib.SQLITE_OK
}

// reserve makes room for n more bytes in f's buffer; false when there is
// no memory for it, and the write then goes through on its own.
func reserve(tls *libc.TLS, f *file, n int64) bool {
	need := f.n + n
	if need <= f.capa {
		return true
	}
	capa := max(need, 2*f.capa, 64<<10)
	buf := libc.Xrealloc(tls, f.buf, libc.Tsize_t(capa))
	if buf == 0 {
		return false
	}
	f.buf, f.capa = buf, capa
	return true
}

// flush hands the gathered bytes to the wrapped file in one write.
func flush(tls *libc.TLS, p uintptr) int32 {
	f := shim(p)
	if f.n == 0 {
		return lib.SQLITE_OK
	}
	w, m := wrapped(p)
	write := fn[func(*libc.TLS, uintptr, uintptr, int32, int64) int32](m.FxWrite)
	n := f.n
	f.n = 0
	for done := int64(0); done < n; {
		k := min(n-done, maxWrite)
		writes.Add(1)
		if rc := write(tls, w, f.buf+uintptr(done), int32(k), f.start+done); rc != lib.SQLITE_OK {
			// What the file holds past start is unknown now: nothing
			// may be gathered after it.
			f.next, f.commit = -1, 0
			return rc
		}
		done += k
	}
	return lib.SQLITE_OK
}
