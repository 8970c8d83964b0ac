{{%AUTOESCAPE context="HTML"}}
<div class="error-page">
<p class="error-code">Error 429</p>
<h1>Too many requests</h1>
<p>{{MESSAGE}}</p>
<p class="error-actions"><a class="button" href="/">Back to home</a></p>
</div>
