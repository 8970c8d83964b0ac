{{%AUTOESCAPE context="HTML"}}
<div class="error-page">
<p class="error-code">Error 405</p>
<h1>Method not allowed</h1>
<p>The method <code>{{METHOD}}</code> is not allowed for this page.</p>
<p>Allowed methods: <code>{{ALLOW}}</code></p>
<p class="error-actions"><a class="button" href="/">Back to home</a></p>
</div>
