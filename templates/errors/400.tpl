{{%AUTOESCAPE context="HTML"}}
<div class="error-page">
<p class="error-code">Error 400</p>
<h1>Bad request</h1>
<p>{{MESSAGE}}</p>
<p class="error-actions"><a class="button" href="/">Back to home</a></p>
</div>
