package oauth

import (
	"context"
	"fmt"
	"net/http"

	"golang.org/x/oauth2"

	"github.com/podero-go/podero/internal/httpguard"
)

// ContextTokenSource is a token source that honours a context, as
// [TokenSource] does. [RequestEditor] prefers it to [oauth2.TokenSource.Token].
type ContextTokenSource interface {
	TokenContext(ctx context.Context) (*oauth2.Token, error)
}

// RequestEditor returns a request editor for the generated client (its
// RequestEditorFn type) that sets "Authorization: Bearer <token>" with a
// token from ts. ts may be any [oauth2.TokenSource]; if it also implements
// [ContextTokenSource] the editor's context is passed on, so cancelling the
// API call also stops the wait for a token.
//
// For the token type the header uses [oauth2.Token.Type], which is always
// "Bearer" for tokens from a [TokenSource]: it refuses any other type.
func RequestEditor(ts oauth2.TokenSource) func(context.Context, *http.Request) error {
	cts, _ := ts.(ContextTokenSource)
	return func(ctx context.Context, req *http.Request) error {
		if ctx == nil {
			ctx = req.Context()
		}
		var tok *oauth2.Token
		var err error
		if cts != nil {
			tok, err = cts.TokenContext(ctx)
		} else {
			tok, err = ts.Token()
		}
		if tok, err = httpguard.CheckToken(tok, err); err != nil {
			return fmt.Errorf("oauth: get access token: %w", err)
		}
		tok.SetAuthHeader(req)
		return nil
	}
}
