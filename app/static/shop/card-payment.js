/* Card payment on the order page: Stripe.js (loaded just before from STRIPE_JS_URL) mounts its
   Payment Element in #payment-element; the form's data attributes carry the PaymentIntent's
   client secret, the publishable key and where to come back. A static file, so the page's
   Content-Security-Policy needs no 'unsafe-inline'. */
(function () {
  var form = document.getElementById('payment-form');
  if (!form || !window.Stripe) { return; }
  var message = document.getElementById('payment-message');
  var secret = form.dataset.clientSecret;
  var stripe = Stripe(form.dataset.publishableKey);
  var elements = stripe.elements({clientSecret: secret});
  var element = elements.create('payment');
  element.mount('#payment-element');
  form.addEventListener('submit', async function (event) {
    event.preventDefault();
    document.getElementById('pay-button').disabled = true;
    var result = stripe.confirmPayment
      ? await stripe.confirmPayment({elements: elements, confirmParams: {return_url: form.dataset.returnUrl}})
      : await stripe.confirmCardPayment(secret, {payment_method: {card: element}});
    if (result.error) {
      message.textContent = result.error.message || String(result.error);
      document.getElementById('pay-button').disabled = false;
    } else {
      window.location = form.dataset.returnUrl;
    }
  });
})();
