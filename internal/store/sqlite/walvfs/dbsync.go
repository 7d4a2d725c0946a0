package walvfs

import (
	"errors"
	"io/fs"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"unsafe"

	"modernc.org/libc"
	lib "modernc.org/sqlite/lib"
)

// The database file is synced before the WAL frames it was copied from
// are lost, instead of at the end of every checkpoint that copied them.
//
// SQLite syncs the database file at the end of a checkpoint that copied
// frames into it, because the WAL may be written from its start again
// afterwards. A RESTART checkpoint holds the write lock through that
// sync, and on a busy store, where the copy is about one commit's pages
// at random places in the file, that held the writer 20-68 ms every few
// seconds. Here a WAL's frames are lost in three ways only, each through
// this VFS: its header is written again at offset 0 when it starts over,
// it is truncated, or it is deleted. Each of them first syncs the
// database file (SyncDatabase), in every process that opens the database
// through this VFS. A checkpoint's own sync of the database file can then
// be left out (WithoutDatabaseSync): the copied pages are durable before
// the frames that also hold them are gone, and a writer can run its next
// transaction while they are written back. A program that writes the
// database without this VFS while groupd runs is outside that promise,
// as it is outside groupd's others (counters, the change log).

// dbFiles holds the open database files whose syncs may be left out, by
// their sqlite3_file address; the rest is the state of the hooks below.
var (
	dbMu    sync.Mutex
	dbFiles = map[uintptr]os.FileInfo{}

	dbMethodsOnce sync.Once
	dbMethods     lib.Tsqlite3_io_methods // the wrapped VFS's, with xSync and xClose ours
	realDBMethods uintptr                 // the wrapped VFS's table they copy

	deferMu   sync.Mutex                  // one WithoutDatabaseSync at a time
	deferring atomic.Pointer[os.FileInfo] // the database whose syncs are left out now
	leftOut   atomic.Int64                // database syncs left out, ever

	failedMu sync.Mutex
	failed   []failedSync // sticky: a failed sync may have dropped pages
)

// failedSync is a database file whose sync failed, and how. The file
// stays open, so that its identity is not given to another file.
type failedSync struct {
	f    *os.File
	file os.FileInfo
	err  error
}

// hookDatabase gives the database file p, just opened by the wrapped VFS,
// our xSync and xClose. A file whose methods are not the table copied
// first keeps its own: its syncs are then never left out.
func hookDatabase(p uintptr, path string) {
	fi, err := os.Stat(path)
	if err != nil {
		return
	}
	base := (*lib.Tsqlite3_file)(cptr(p))
	dbMethodsOnce.Do(func() {
		realDBMethods = base.FpMethods
		dbMethods = *(*lib.Tsqlite3_io_methods)(cptr(base.FpMethods))
		setFunc(&dbMethods.FxSync, xDBSync)
		setFunc(&dbMethods.FxClose, xDBClose)
	})
	if base.FpMethods != realDBMethods {
		return
	}
	dbMu.Lock()
	dbFiles[p] = fi
	dbMu.Unlock()
	base.FpMethods = uintptr(unsafe.Pointer(&dbMethods))
}

func realDB() *lib.Tsqlite3_io_methods { return (*lib.Tsqlite3_io_methods)(cptr(realDBMethods)) }

func xDBSync(tls *libc.TLS, p uintptr, flags int32) int32 {
	if d := deferring.Load(); d != nil {
		dbMu.Lock()
		fi, ok := dbFiles[p]
		dbMu.Unlock()
		if ok && os.SameFile(fi, *d) {
			leftOut.Add(1)
			return lib.SQLITE_OK
		}
	}
	return fn[func(*libc.TLS, uintptr, int32) int32](realDB().FxSync)(tls, p, flags)
}

func xDBClose(tls *libc.TLS, p uintptr) int32 {
	dbMu.Lock()
	delete(dbFiles, p)
	dbMu.Unlock()
	return fn[func(*libc.TLS, uintptr) int32](realDB().FxClose)(tls, p)
}

// WithoutDatabaseSync runs f, leaving out the syncs of the database file
// at path that SQLite makes meanwhile, on any connection of this process,
// and reports whether it left any out; the next loss of WAL frames syncs
// the file (see above). Without a file at path, f runs with its syncs.
func WithoutDatabaseSync(path string, f func()) bool {
	deferMu.Lock()
	defer deferMu.Unlock()
	fi, err := os.Stat(path)
	if err != nil {
		f()
		return false
	}
	before := leftOut.Load()
	deferring.Store(&fi)
	defer deferring.Store(nil)
	f()
	return leftOut.Load() != before
}

// syncDatabase is SyncDatabase and syncData SyncData; tests watch them.
var (
	syncDatabase = SyncDatabase
	syncData     = SyncData
)

// SyncDatabase makes the database file at path durable. Once a sync of a
// file failed, every later one fails too: the kernel may have dropped the
// pages it could not write, and a later sync that succeeds does not bring
// them back, so no WAL frame that also holds them may be lost.
// Files are told apart by identity, not by name: SQLite names a file by
// its full path, groupd by the path it was given.
func SyncDatabase(path string) error {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return err
	}
	failedMu.Lock()
	defer failedMu.Unlock()
	for _, x := range failed {
		if os.SameFile(x.file, fi) {
			f.Close()
			return x.err
		}
	}
	if err := syncData(f); err != nil {
		failed = append(failed, failedSync{f: f, file: fi, err: err})
		return err
	}
	return f.Close()
}

// syncDatabaseOf syncs the database file of the WAL file p.
func syncDatabaseOf(p uintptr) int32 {
	return syncDatabaseOfWAL(libc.GoString(shim(p).name))
}

func syncDatabaseOfWAL(wal string) int32 {
	db, ok := strings.CutSuffix(wal, "-wal")
	if !ok {
		return lib.SQLITE_OK
	}
	if syncDatabase(db) != nil {
		return lib.SQLITE_IOERR_FSYNC
	}
	return lib.SQLITE_OK
}

// xDelete syncs the database file before its WAL is deleted.
func xDelete(tls *libc.TLS, _ uintptr, zName uintptr, syncDir int32) int32 {
	if rc := syncDatabaseOfWAL(libc.GoString(zName)); rc != lib.SQLITE_OK {
		return rc
	}
	del := fn[func(*libc.TLS, uintptr, uintptr, int32) int32]((*lib.Tsqlite3_vfs)(cptr(real)).FxDelete)
	return del(tls, real, zName, syncDir)
}
