{{%AUTOESCAPE context="HTML"}}
<div class="error-page">
<p class="error-code">Error 500</p>
<h1>Something went wrong</h1>
<p>An unexpected error occurred on our side. Please try again later.</p>
<p class="muted">Reference: <code class="request-id">{{REQUEST_ID}}</code></p>
<p class="error-actions"><a class="button" href="/">Back to home</a></p>
</div>
