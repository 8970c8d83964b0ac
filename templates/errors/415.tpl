{{%AUTOESCAPE context="HTML"}}
<div class="error-page">
<p class="error-code">Error 415</p>
<h1>Unsupported form encoding</h1>
<p>{{MESSAGE}}</p>
<p class="error-actions"><a class="button" href="/">Back to home</a></p>
</div>
