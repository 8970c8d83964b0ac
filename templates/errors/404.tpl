{{%AUTOESCAPE context="HTML"}}
<div class="error-page">
<p class="error-code">Error 404</p>
<h1>Page not found</h1>
<p>Sorry, we couldn't find the page you were looking for.</p>
<p class="error-actions"><a class="button" href="/">Back to home</a></p>
</div>
