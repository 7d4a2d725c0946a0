package walvfs

import (
	"modernc.org/libc"
	lib "modernc.org/sqlite/lib"
)

// The other methods of a WAL file. Those that read the file, or change
// what a later write lands on, first write what is gathered; the rest
// only pass the call on to the wrapped file.

func xRead(tls *libc.TLS, p, zBuf uintptr, iAmt int32, iOfst int64) int32 {
	if rc := flush(tls, p); rc != lib.SQLITE_OK {
		return rc
	}
	w, m := wrapped(p)
	return fn[func(*libc.TLS, uintptr, uintptr, int32, int64) int32](m.FxRead)(tls, w, zBuf, iAmt, iOfst)
}

func xTruncate(tls *libc.TLS, p uintptr, size int64) int32 {
	if rc := flush(tls, p); rc != lib.SQLITE_OK {
		return rc
	}
	// Frames past size are lost (dbsync.go).
	if rc := syncDatabaseOf(p); rc != lib.SQLITE_OK {
		return rc
	}
	shim(p).next = -1
	w, m := wrapped(p)
	return fn[func(*libc.TLS, uintptr, int64) int32](m.FxTruncate)(tls, w, size)
}

func xSync(tls *libc.TLS, p uintptr, flags int32) int32 {
	if rc := flush(tls, p); rc != lib.SQLITE_OK {
		return rc
	}
	w, m := wrapped(p)
	return fn[func(*libc.TLS, uintptr, int32) int32](m.FxSync)(tls, w, flags)
}

func xFileSize(tls *libc.TLS, p, pSize uintptr) int32 {
	if rc := flush(tls, p); rc != lib.SQLITE_OK {
		return rc
	}
	w, m := wrapped(p)
	return fn[func(*libc.TLS, uintptr, uintptr) int32](m.FxFileSize)(tls, w, pSize)
}

func xFileControl(tls *libc.TLS, p uintptr, op int32, pArg uintptr) int32 {
	if rc := flush(tls, p); rc != lib.SQLITE_OK {
		return rc
	}
	w, m := wrapped(p)
	return fn[func(*libc.TLS, uintptr, int32, uintptr) int32](m.FxFileControl)(tls, w, op, pArg)
}

func xFetch(tls *libc.TLS, p uintptr, iOfst int64, iAmt int32, pp uintptr) int32 {
	if rc := flush(tls, p); rc != lib.SQLITE_OK {
		return rc
	}
	w, m := wrapped(p)
	return fn[func(*libc.TLS, uintptr, int64, int32, uintptr) int32](m.FxFetch)(tls, w, iOfst, iAmt, pp)
}

func xUnfetch(tls *libc.TLS, p uintptr, iOfst int64, pPage uintptr) int32 {
	w, m := wrapped(p)
	return fn[func(*libc.TLS, uintptr, int64, uintptr) int32](m.FxUnfetch)(tls, w, iOfst, pPage)
}

func xLock(tls *libc.TLS, p uintptr, lock int32) int32 {
	w, m := wrapped(p)
	return fn[func(*libc.TLS, uintptr, int32) int32](m.FxLock)(tls, w, lock)
}

func xUnlock(tls *libc.TLS, p uintptr, lock int32) int32 {
	w, m := wrapped(p)
	return fn[func(*libc.TLS, uintptr, int32) int32](m.FxUnlock)(tls, w, lock)
}

func xCheckReservedLock(tls *libc.TLS, p, pResOut uintptr) int32 {
	w, m := wrapped(p)
	return fn[func(*libc.TLS, uintptr, uintptr) int32](m.FxCheckReservedLock)(tls, w, pResOut)
}

func xSectorSize(tls *libc.TLS, p uintptr) int32 {
	w, m := wrapped(p)
	return fn[func(*libc.TLS, uintptr) int32](m.FxSectorSize)(tls, w)
}

func xDeviceCharacteristics(tls *libc.TLS, p uintptr) int32 {
	w, m := wrapped(p)
	return fn[func(*libc.TLS, uintptr) int32](m.FxDeviceCharacteristics)(tls, w)
}

// The shared-memory methods serve the database file, which is never one
// of ours; a WAL file passes them on all the same, as the table must be
// complete.

func xShmMap(tls *libc.TLS, p uintptr, iPg, pgsz, bExtend int32, pp uintptr) int32 {
	w, m := wrapped(p)
	return fn[func(*libc.TLS, uintptr, int32, int32, int32, uintptr) int32](m.FxShmMap)(tls, w, iPg, pgsz, bExtend, pp)
}

func xShmLock(tls *libc.TLS, p uintptr, offset, n, flags int32) int32 {
	w, m := wrapped(p)
	return fn[func(*libc.TLS, uintptr, int32, int32, int32) int32](m.FxShmLock)(tls, w, offset, n, flags)
}

func xShmBarrier(tls *libc.TLS, p uintptr) {
	w, m := wrapped(p)
	fn[func(*libc.TLS, uintptr)](m.FxShmBarrier)(tls, w)
}

func xShmUnmap(tls *libc.TLS, p uintptr, deleteFlag int32) int32 {
	w, m := wrapped(p)
	return fn[func(*libc.TLS, uintptr, int32) int32](m.FxShmUnmap)(tls, w, deleteFlag)
}
