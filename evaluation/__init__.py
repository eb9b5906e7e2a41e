"""The lab: evaluation of every capability on held-out data, showcases, example images and screenshots."""
