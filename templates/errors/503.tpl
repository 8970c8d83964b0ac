{{%AUTOESCAPE context="HTML"}}
<div class="error-page">
<p class="error-code">Error 503</p>
<h1>Service unavailable</h1>
<p>{{MESSAGE}}</p>
<p class="error-actions"><a class="button" href="/">Back to home</a></p>
</div>
