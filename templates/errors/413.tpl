{{%AUTOESCAPE context="HTML"}}
<div class="error-page">
<p class="error-code">Error 413</p>
<h1>Request too large</h1>
<p>The data you sent is too large for us to process.</p>
<p class="error-actions"><a class="button" href="/">Back to home</a></p>
</div>
