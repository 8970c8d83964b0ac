{{%AUTOESCAPE context="HTML"}}
{{! Sets ACTION, NEXT, CSRF_TOKEN, EMAIL, NEXT_QUERY; may show FORM_ERROR (MESSAGE). }}
<h1>Log in</h1>
<form class="form" action="{{ACTION}}" method="post" name="login_user_form" novalidate>
<input type="hidden" name="next" value="{{NEXT}}">
<input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
{{#FORM_ERROR}}<p class="form-error" id="form-error" role="alert">{{MESSAGE}}</p>{{/FORM_ERROR}}
<div class="field">
<label for="email">Email Address</label>
<input type="email" name="email" id="email" autocomplete="email" autofocus required value="{{EMAIL}}"{{#FORM_ERROR}} aria-describedby="form-error" aria-invalid="true"{{/FORM_ERROR}}>
</div>
<div class="field">
<label for="password">Password</label>
<input type="password" name="password" id="password" autocomplete="current-password" required{{#FORM_ERROR}} aria-describedby="form-error" aria-invalid="true"{{/FORM_ERROR}}>
</div>
<div class="field field-check">
<input type="checkbox" name="remember" id="remember" value="y">
<label for="remember">Remember me</label>
</div>
<div class="form-actions">
<button type="submit" class="button">Log in</button>
</div>
</form>
<p class="form-alt">No account? <a href="/register{{NEXT_QUERY}}">Register</a></p>
