package api

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// Most handlers end the same way: the core's answer as JSON, or the core's error for
// errorHandler to turn into one.

// answer is v as JSON with status, or err when the call that made v failed.
func answer(c echo.Context, status int, v any, err error) error {
	if err != nil {
		return err
	}
	return c.JSON(status, v)
}

// listed answers {key: the views of list}, or err when reading the list failed.
func listed[T, V any](c echo.Context, key string, list []T, err error, view func(T) V) error {
	if err != nil {
		return err
	}
	out := make([]V, len(list))
	for i, x := range list {
		out[i] = view(x)
	}
	return c.JSON(http.StatusOK, map[string]any{key: out})
}
