{{%AUTOESCAPE context="HTML"}}
<div class="error-page">
<p class="error-code">Error {{STATUS}}</p>
<h1>{{TITLE}}</h1>
<p>{{MESSAGE}}</p>
<p class="error-actions"><a class="button" href="/">Back to home</a></p>
</div>
