/* Photos on the device: shrink a camera picture to a long edge of at most 1600 px with a
   canvas before it is stored (IndexedDB) and uploaded, to save the inspector's data. */
(function (root) {
  "use strict";

  var LONG_EDGE = 1600;

  function decode(file) {
    if (root.createImageBitmap) return createImageBitmap(file);
    return new Promise(function (resolve, reject) {
      var image = new Image();
      var url = URL.createObjectURL(file);
      image.onload = function () { URL.revokeObjectURL(url); resolve(image); };
      image.onerror = function () { URL.revokeObjectURL(url); reject(new Error("not an image")); };
      image.src = url;
    });
  }

  /* Resolves to {blob, width, height}. A JPEG already small enough is kept as it is, so
     its EXIF capture time reaches the server (which strips everything else). */
  function shrink(file) {
    return decode(file).then(function (image) {
      var width = image.width, height = image.height;
      var scale = Math.min(1, LONG_EDGE / Math.max(width, height));
      if (scale === 1 && file.type === "image/jpeg") {
        return { blob: file, width: width, height: height };
      }
      var canvas = document.createElement("canvas");
      canvas.width = Math.max(1, Math.round(width * scale));
      canvas.height = Math.max(1, Math.round(height * scale));
      canvas.getContext("2d").drawImage(image, 0, 0, canvas.width, canvas.height);
      if (image.close) image.close();
      return new Promise(function (resolve, reject) {
        canvas.toBlob(function (blob) {
          if (blob) resolve({ blob: blob, width: canvas.width, height: canvas.height });
          else reject(new Error("could not encode"));
        }, "image/jpeg", 0.85);
      });
    });
  }

  root.DudaoPhotos = { shrink: shrink, LONG_EDGE: LONG_EDGE };
})(this);
