/* Resize photos in the browser before they are uploaded (issue 10).
 *
 * For every <input type="file" accept="image/..."> in a form: when images are chosen, each one
 * whose long side is over 1600 px is redrawn on a canvas at 1600 px and re-encoded as JPEG
 * (quality 0.85), and the input's files are replaced through DataTransfer. Anything that cannot be
 * done (old browser, unreadable image, a larger result) keeps the original file: the server checks
 * and re-encodes every upload anyway. While resizing, the form's submit buttons wait.
 * No inline script: this file is included from base.html (CSP script-src 'self').
 */
(function () {
  "use strict";

  var LONG_SIDE = 1600;
  var QUALITY = 0.85;

  function isPhotoInput(element) {
    return (
      element instanceof HTMLInputElement &&
      element.type === "file" &&
      /image\//.test(element.getAttribute("accept") || "") &&
      element.form !== null
    );
  }

  function canResize() {
    try {
      return (
        typeof DataTransfer === "function" &&
        new DataTransfer().items !== undefined &&
        typeof HTMLCanvasElement.prototype.toBlob === "function"
      );
    } catch (error) {
      return false;
    }
  }

  function loadImage(file) {
    if (typeof createImageBitmap === "function") {
      return createImageBitmap(file, { imageOrientation: "from-image" }).catch(function () {
        return loadWithElement(file);
      });
    }
    return loadWithElement(file);
  }

  function loadWithElement(file) {
    return new Promise(function (resolve, reject) {
      var url = URL.createObjectURL(file);
      var image = new Image();
      image.onload = function () {
        resolve(image);
        setTimeout(function () { URL.revokeObjectURL(url); }, 0);
      };
      image.onerror = function () {
        URL.revokeObjectURL(url);
        reject(new Error("unreadable image"));
      };
      image.src = url;
    });
  }

  function resizeOne(file) {
    if (!/^image\/(jpeg|png|webp)$/.test(file.type)) {
      return Promise.resolve(file);
    }
    return loadImage(file)
      .then(function (image) {
        var width = image.naturalWidth || image.width;
        var height = image.naturalHeight || image.height;
        var scale = LONG_SIDE / Math.max(width, height);
        if (!width || !height || scale >= 1) {
          return file;
        }
        var canvas = document.createElement("canvas");
        canvas.width = Math.round(width * scale);
        canvas.height = Math.round(height * scale);
        var context = canvas.getContext("2d");
        context.fillStyle = "#fff"; // transparent PNG areas become white, as on the server
        context.fillRect(0, 0, canvas.width, canvas.height);
        context.drawImage(image, 0, 0, canvas.width, canvas.height);
        if (typeof image.close === "function") {
          image.close();
        }
        return new Promise(function (resolve) {
          canvas.toBlob(
            function (blob) {
              if (!blob || blob.size === 0 || blob.size >= file.size) {
                resolve(file);
                return;
              }
              var name = file.name.replace(/\.[^.]*$/, "") + ".jpg";
              resolve(new File([blob], name, { type: "image/jpeg", lastModified: Date.now() }));
            },
            "image/jpeg",
            QUALITY
          );
        });
      })
      .catch(function () {
        return file;
      });
  }

  function setWaiting(form, waiting) {
    var buttons = form.querySelectorAll("button[type='submit'], input[type='submit'], button:not([type])");
    Array.prototype.forEach.call(buttons, function (button) {
      if (waiting) {
        if (!button.disabled) {
          button.disabled = true;
          button.setAttribute("data-photo-resize-wait", "1");
        }
      } else if (button.getAttribute("data-photo-resize-wait")) {
        button.disabled = false;
        button.removeAttribute("data-photo-resize-wait");
      }
    });
    if (waiting) {
      form.setAttribute("aria-busy", "true");
    } else {
      form.removeAttribute("aria-busy");
    }
  }

  function onChange(event) {
    var input = event.target;
    if (!isPhotoInput(input) || !input.files || input.files.length === 0) {
      return;
    }
    if (input.getAttribute("data-photo-resized") === "1") {
      input.removeAttribute("data-photo-resized");
      return;
    }
    var chosen = Array.prototype.slice.call(input.files);
    var form = input.form;
    setWaiting(form, true);
    Promise.all(chosen.map(resizeOne))
      .then(function (files) {
        var changed = files.some(function (file, index) { return file !== chosen[index]; });
        if (!changed) {
          return;
        }
        var transfer = new DataTransfer();
        files.forEach(function (file) { transfer.items.add(file); });
        input.files = transfer.files;
        input.setAttribute("data-photo-resized", "1");
        input.dispatchEvent(new Event("change", { bubbles: true }));
      })
      .catch(function () { /* keep the originals */ })
      .then(function () {
        setWaiting(form, false);
      });
  }

  if (canResize()) {
    document.addEventListener("change", onChange, true);
  }
})();
