{{%AUTOESCAPE context="HTML"}}
{{! Sets NEXT, CSRF_TOKEN, EMAIL, NEXT_QUERY; may show FORM_ERROR,
    EMAIL_ERROR, PASSWORD_ERROR, CONFIRM_ERROR (each with MESSAGE). }}
<h1>Register</h1>
<form class="form" action="/register" method="post" name="register_user_form" novalidate>
<input type="hidden" name="next" value="{{NEXT}}">
<input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}">
{{#FORM_ERROR}}<p class="form-error" id="form-error" role="alert">{{MESSAGE}}</p>{{/FORM_ERROR}}
<div class="field">
<label for="email">Email Address</label>
<input type="email" name="email" id="email" autocomplete="email" autofocus required value="{{EMAIL}}"{{#EMAIL_ERROR}} aria-describedby="email-error" aria-invalid="true"{{/EMAIL_ERROR}}>
{{#EMAIL_ERROR}}<p class="field-error" id="email-error">{{MESSAGE}}</p>{{/EMAIL_ERROR}}
</div>
<div class="field">
<label for="password">Password</label>
<input type="password" name="password" id="password" autocomplete="new-password" required aria-describedby="password-hint{{#PASSWORD_ERROR}} password-error{{/PASSWORD_ERROR}}"{{#PASSWORD_ERROR}} aria-invalid="true"{{/PASSWORD_ERROR}}>
<p class="field-hint" id="password-hint">8 to 128 characters</p>
{{#PASSWORD_ERROR}}<p class="field-error" id="password-error">{{MESSAGE}}</p>{{/PASSWORD_ERROR}}
</div>
<div class="field">
<label for="password_confirm">Retype Password</label>
<input type="password" name="password_confirm" id="password_confirm" autocomplete="new-password" required{{#CONFIRM_ERROR}} aria-describedby="confirm-error" aria-invalid="true"{{/CONFIRM_ERROR}}>
{{#CONFIRM_ERROR}}<p class="field-error" id="confirm-error">{{MESSAGE}}</p>{{/CONFIRM_ERROR}}
</div>
<div class="form-actions">
<button type="submit" class="button">Register</button>
</div>
</form>
<p class="form-alt">Already registered? <a href="/login{{NEXT_QUERY}}">Log in</a></p>
