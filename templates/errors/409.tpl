{{%AUTOESCAPE context="HTML"}}
<div class="error-page">
<p class="error-code">Error 409</p>
<h1>Not possible</h1>
<p>{{MESSAGE}}</p>
<p class="error-actions"><a class="button" href="/admin">Back to the admin console</a></p>
</div>
