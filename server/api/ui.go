package api

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
)

// MountUI serves the built editor from fsys (frontend.Dist()): index.html for "/", the hashed
// bundles under /assets/, the browser engine under /engine/ and top-level files such as the icon.
// The editor routes with the URL fragment (#/flows/…), so no other path needs index.html.
//
// Caching: names that carry a content hash (Vite's assets/*-<hash>.js, engine/hookflow.<hash>.wasm)
// never change, so they are immutable for a year; everything else (index.html, worker.js,
// manifest.json) is revalidated on each load, so a new release is picked up at once.
//
// The engine module is large (about 24 MB raw). The build writes .br and .gz copies next to it
// and next to the bundles, and this handler sends the best one the browser accepts with
// Content-Encoding: nothing is compressed at request time.
func MountUI(e *echo.Echo, fsys fs.FS) {
	ui := &uiHandler{fsys: fsys, started: time.Now()}
	e.GET("/", ui.index)
	e.HEAD("/", ui.index)
	e.GET("/:file", ui.file) // top-level files of public/, such as favicon.svg
	e.HEAD("/:file", ui.file)
	e.GET("/assets/*", ui.file)
	e.HEAD("/assets/*", ui.file)
	e.GET("/engine/*", ui.file)
	e.HEAD("/engine/*", ui.file)
}

type uiHandler struct {
	fsys    fs.FS
	started time.Time // modification time of embedded files, which have none
}

func (u *uiHandler) index(c echo.Context) error {
	return u.serve(c, "index.html")
}

func (u *uiHandler) file(c echo.Context) error {
	name := strings.TrimPrefix(path.Clean(c.Request().URL.Path), "/")
	if !fs.ValidPath(name) || strings.HasSuffix(name, ".br") || strings.HasSuffix(name, ".gz") {
		return echo.NewHTTPError(http.StatusNotFound, "no such file")
	}
	return u.serve(c, name)
}

func (u *uiHandler) serve(c echo.Context, name string) error {
	w, r := c.Response(), c.Request()
	h := w.Header()
	if ctype := mime.TypeByExtension(path.Ext(name)); ctype != "" {
		h.Set(echo.HeaderContentType, ctype)
	}
	if path.Ext(name) == ".wasm" {
		h.Set(echo.HeaderContentType, "application/wasm") // some systems' mime tables lack it
	}
	if immutable(name) {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
	}

	f, encoding, err := u.open(name, r.Header.Get(echo.HeaderAcceptEncoding))
	if errors.Is(err, fs.ErrNotExist) {
		return echo.NewHTTPError(http.StatusNotFound, "no such file")
	}
	if err != nil {
		return err
	}
	defer f.Close() //nolint:errcheck // read only
	info, err := f.Stat()
	if err != nil {
		return err
	}
	if info.IsDir() {
		return echo.NewHTTPError(http.StatusNotFound, "no such file")
	}
	// The editor's pages and its worker run our scripts; every other answer, a missing file's
	// included, stays inert.
	h.Set("Content-Security-Policy", editorPolicy)
	if precompressed(name) {
		h.Add(echo.HeaderVary, echo.HeaderAcceptEncoding)
	}
	if encoding != "" {
		h.Set(echo.HeaderContentEncoding, encoding)
	}
	// ServeContent answers conditional and range requests; the ETag makes "no-cache" cheap.
	h.Set("ETag", etag(name, encoding, int(info.Size()), u.started))
	// Embedded files can seek, so the module is sent from the binary's data without a copy;
	// a file system whose files cannot seek is read into memory first.
	content, ok := f.(io.ReadSeeker)
	if !ok {
		data, err := io.ReadAll(f)
		if err != nil {
			return err
		}
		content = bytes.NewReader(data)
	}
	http.ServeContent(w, r, name, u.started, content)
	return nil
}

// open opens the file, or its precompressed copy when the client accepts it (br before gzip).
func (u *uiHandler) open(name, acceptEncoding string) (fs.File, string, error) {
	if precompressed(name) {
		for _, enc := range []struct{ token, ext string }{{"br", ".br"}, {"gzip", ".gz"}} {
			if !accepts(acceptEncoding, enc.token) {
				continue
			}
			if f, err := u.fsys.Open(name + enc.ext); err == nil {
				return f, enc.token, nil
			}
		}
	}
	f, err := u.fsys.Open(name)
	return f, "", err
}

// precompressed reports files the build wrote .br/.gz copies of (wasm/build.sh for the engine,
// frontend/scripts/precompress.mjs for the bundles); a missing copy falls back to the file.
func precompressed(name string) bool {
	switch path.Ext(name) {
	case ".wasm":
		return true
	case ".js", ".css", ".svg":
		return strings.HasPrefix(name, "assets/")
	}
	return false
}

// immutable reports names that embed a content hash.
func immutable(name string) bool {
	return strings.HasPrefix(name, "assets/") || (strings.HasPrefix(name, "engine/hookflow.") && path.Ext(name) == ".wasm")
}

// accepts is a small Accept-Encoding check: the token is listed and not refused with q=0.
func accepts(header, token string) bool {
	for _, part := range strings.Split(header, ",") {
		fields := strings.Split(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(fields[0]), token) {
			continue
		}
		for _, p := range fields[1:] {
			if q := strings.ReplaceAll(strings.TrimSpace(p), " ", ""); q == "q=0" || q == "q=0.0" || q == "q=0.00" || q == "q=0.000" {
				return false
			}
		}
		return true
	}
	return false
}

func etag(name, encoding string, size int, started time.Time) string {
	if immutable(name) {
		return `"` + path.Base(name) + "-" + encoding + `"`
	}
	// Embedded files change only with the binary: its start time stands for the build.
	return `"` + path.Base(name) + "-" + encoding + "-" + strconv.Itoa(size) + "-" + strconv.FormatInt(started.Unix(), 10) + `"`
}
